/* The chart of a statistics page, drawn from the JSON block the server rendered beside the
   table (no inline script: the CSP allows scripts from this origin only). Redrawn when htmx
   swaps in the figures for other filters. Hidden counts are null: a gap, never a guess. */
(function () {
  "use strict";
  var chart = null;

  function draw() {
    var canvas = document.getElementById("report-chart");
    var source = document.getElementById("report-chart-data");
    if (chart) { chart.destroy(); chart = null; }
    if (!canvas || !source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent || "{}");
    if (!data.labels) { return; }
    var kind = canvas.getAttribute("data-kind") || "bar";
    var config;
    if (kind === "line") {
      // Columns (months) along the axis, one line per row.
      config = {
        type: "line",
        data: {
          labels: data.datasets.map(function (d) { return d.label; }),
          datasets: data.labels.map(function (label, i) {
            return { label: label, data: data.datasets.map(function (d) { return d.data[i]; }), spanGaps: false };
          })
        },
        options: { responsive: true, maintainAspectRatio: false }
      };
    } else {
      // Stacked horizontal bars: a row's bar is split by the columns (a flow chart: from a
      // row to each column).
      config = {
        type: "bar",
        data: data,
        options: {
          indexAxis: "y", responsive: true, maintainAspectRatio: false,
          scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } }
        }
      };
    }
    config.options.plugins = { legend: { position: "bottom" } };
    config.options.animation = false;
    var rows = kind === "line" ? 10 : data.labels.length;
    canvas.parentNode.style.height = Math.max(260, Math.min(1400, 60 + rows * 26)) + "px";
    chart = new Chart(canvas, config);
    canvas.setAttribute("data-drawn", data.labels.join("|"));
    window.edureg_report_chart = chart;
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
