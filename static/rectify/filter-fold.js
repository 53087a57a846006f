// A filter form's fold (<details class="filter-fold">: the task list, the ledger, the
// dashboard): the server opens it when filters are active or invalid; on a wide screen it
// starts open anyway. Optional: without this script the fold simply stays as the server
// rendered it.
(function () {
  "use strict";
  var fold = document.querySelector("details.filter-fold");
  if (fold && !fold.open && window.matchMedia("(min-width: 40.01rem)").matches) {
    fold.open = true;
  }
})();
