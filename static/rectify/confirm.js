// Forms marked data-confirm="…" (the task page's delete buttons) ask that question before they
// are sent; cancelling keeps the page as it is. Without this script the form is sent at once.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
      return;
    }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
