// The task list's filters (<details class="filter-fold">): the server opens them when filters
// are active or invalid; on a wide screen they start open anyway. Optional: without this
// script the fold simply stays as the server rendered it.
(function () {
  "use strict";
  var fold = document.querySelector("details.filter-fold");
  if (fold && !fold.open && window.matchMedia("(min-width: 40.01rem)").matches) {
    fold.open = true;
  }
})();
