/* The dashboard's charts, each drawn from the table below it (the one source of its numbers):
   <figure data-chart="bar|doughnut|line" data-table="t-…" data-plot="0,2,3">: column 0 names
   the rows, the other listed columns are the series (their <th> the names; each cell's
   data-value the number). Chart.js is vendored in static/vendor/chartjs/. */
(function () {
  "use strict";
  var COLOURS = ["#2f6db5", "#e0a030", "#c0392b", "#3b9a5a", "#7d5ba6", "#5a6b7d"];

  function readTable(table, plot) {
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return cell.textContent.trim();
    });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var labels = rows.map(function (row) { return row.cells[plot[0]].textContent.trim(); });
    var series = plot.slice(1).map(function (column) {
      return {
        name: headers[column],
        values: rows.map(function (row) {
          var raw = row.cells[column].getAttribute("data-value");
          return raw === null || raw === "" ? null : Number(raw);
        })
      };
    });
    return { labels: labels, series: series };
  }

  function draw(figure) {
    var table = document.getElementById(figure.getAttribute("data-table"));
    if (!table || !window.Chart) { return; }
    var kind = figure.getAttribute("data-chart");
    var plot = figure.getAttribute("data-plot").split(",").map(Number);
    var data = readTable(table, plot);
    var datasets = data.series.map(function (s, i) {
      var set = { label: s.name, data: s.values };
      if (kind === "doughnut") {
        set.backgroundColor = ["#3b9a5a", "#2f6db5", "#c0392b"];
      } else if (kind === "line") {
        set.borderColor = COLOURS[0];
        set.backgroundColor = COLOURS[0];
        set.pointRadius = 2;
        set.stepped = false;
      } else {
        set.backgroundColor = COLOURS[i % COLOURS.length];
      }
      return set;
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    if (kind === "bar") {
      options.indexAxis = data.labels.length > 6 ? "y" : "x";
      options.scales = { x: { ticks: { autoSkip: false } }, y: { beginAtZero: true } };
    }
    if (kind === "line") {
      options.scales = { y: { min: 0, max: 100, title: { display: true,
        text: figure.getAttribute("data-percent-label") } } };
    }
    new window.Chart(figure.querySelector("canvas"), {
      type: kind, data: { labels: data.labels, datasets: datasets }, options: options
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("figure[data-chart]"), draw);
  });
})();
