// The notice's summary paragraph (统计概要) in the admin: the preview follows the template as
// it is edited. The numbers are the server's (data-values on the preview, computed from the
// records); only the words change here. Without this script the preview shows the saved
// template.
(function () {
  "use strict";
  var PLACEHOLDER = /\{([^{}]*)\}/g;

  function render(template, values) {
    var text = template.replace(PLACEHOLDER, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
    return text.split(/\r?\n/).map(function (line) { return line.trim(); }).join("");
  }

  function start() {
    var preview = document.querySelector(".summary-preview[data-values]");
    var template = document.getElementById("id_summary_template");
    var shown = document.getElementById("id_show_summary");
    if (!preview || !template) {
      return;
    }
    var values = JSON.parse(preview.getAttribute("data-values"));
    function update() {
      preview.textContent = render(template.value, values);
      if (shown) {
        preview.classList.toggle("summary-off", !shown.checked);
      }
    }
    template.addEventListener("input", update);
    if (shown) {
      shown.addEventListener("change", update);
    }
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
