'use strict';
// Django's navigation sidebar opens by default and takes ~300 px: on a screen narrower than
// 1600 px (a 1366 px laptop) it starts closed, so the lists keep their columns readable. A
// choice the user made with the toggle (kept by Django in localStorage) always wins. This
// script runs after Django's nav_sidebar.js (both deferred): closing through the toggle keeps
// that script's own state right; the stored "closed" is then forgotten, so the default
// follows the screen again on the next page.
{
    const key = 'django.admin.navSidebarIsOpen';
    const toggle = document.getElementById('toggle-nav-sidebar');
    const main = document.getElementById('main');
    if (toggle && main && localStorage.getItem(key) === null && window.innerWidth < 1600 &&
            main.classList.contains('shifted')) {
        toggle.click();
        localStorage.removeItem(key);
    }
}
