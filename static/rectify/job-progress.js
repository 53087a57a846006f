// A background job's page: asks the job's status (JSON) every second or so and moves the
// progress bar and the step it is at; once the job has finished, reloads the page, which then
// offers the download or the outcome, or says what went wrong. Without scripts the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-job-status");
  var bar = box.querySelector("progress");
  var percent = box.querySelector(".job-percent");
  var rows = box.querySelector(".job-rows");
  var state = box.querySelector(".job-state");
  var step = box.querySelector(".job-step");
  var delay = 1000;

  function show(job) {
    state.textContent = job.state_label;
    if (bar) {
      if (job.percent === null) {
        bar.removeAttribute("value");
        bar.textContent = "";
      } else {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
      }
    }
    if (percent) {
      percent.textContent = job.percent === null ? "" : job.percent + "%";
    }
    if (rows) {
      rows.textContent = job.rows_text;
    }
    if (step) {
      step.textContent = job.message || "";
    }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        if (job.finished) {
          window.location.reload();
          return;
        }
        show(job);
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
