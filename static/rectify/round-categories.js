// The filter forms' category select follows their round select: once a round is chosen it
// offers that round's categories (asked from the address in the form's
// data-round-categories), and none, disabled, while no round is. Optional: without this
// script the form submits the round and the page comes back with the round's categories.
(function () {
  "use strict";
  if (!window.fetch) {
    return;
  }
  var forms = document.querySelectorAll("form[data-round-categories]");
  Array.prototype.forEach.call(forms, function (form) {
    var rounds = form.querySelector('select[name="round"]');
    var categories = form.querySelector('select[name="category"]');
    if (!rounds || !categories) {
      return;
    }
    var address = form.getAttribute("data-round-categories");

    function fill(options, first, disabled) {
      categories.textContent = "";
      var blank = document.createElement("option");
      blank.value = "";
      blank.textContent = first;
      categories.appendChild(blank);
      options.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.value;
        option.textContent = item.label;
        categories.appendChild(option);
      });
      categories.disabled = disabled;
    }

    rounds.addEventListener("change", function () {
      var wanted = rounds.value;
      if (!wanted) {
        fill([], form.getAttribute("data-choose-round"), true);
        return;
      }
      categories.disabled = true;
      fetch(address + "?round=" + encodeURIComponent(wanted), {
        credentials: "same-origin",
        headers: {Accept: "application/json"}
      }).then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      }).then(function (data) {
        if (rounds.value === wanted) {
          fill(data.options, form.getAttribute("data-any-category"), false);
        }
      }).catch(function () {
        // Submitting the form still brings the round's categories.
        if (rounds.value === wanted) {
          fill([], form.getAttribute("data-submit-first"), true);
        }
      });
    });
  });
})();
