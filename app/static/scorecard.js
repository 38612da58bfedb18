// Scorecard trend charts: Chart.js (from npm, /static/vendor/chartjs) draws each metric's
// measurements with the target in force for each period as a stepped line. The series come
// from each canvas's data-series attribute (JSON: data, not code, since the CSP allows no
// inline script). Without JavaScript, or if Chart.js is missing, the values table stays the chart.
(function () {
  "use strict";

  function draw(canvas) {
    if (typeof Chart === "undefined" || Chart.getChart(canvas)) {
      return;
    }
    const series = JSON.parse(canvas.dataset.series);
    const suffix = series.suffix || "";
    const datasets = [
      {
        label: series.title,
        data: series.values,
        borderColor: "#0b5563",
        backgroundColor: "#0b5563",
        pointRadius: 3,
        tension: 0,
      },
    ];
    if (series.targets.some((t) => t !== null)) {
      datasets.push({
        label: series.targetLabel,
        data: series.targets,
        borderColor: "#b3261e",
        backgroundColor: "#b3261e",
        borderDash: [6, 4],
        pointRadius: 0,
        // Each target holds until the period where the next one comes into force.
        stepped: "before",
        spanGaps: false,
      });
    }
    // Shown before drawing: Chart.js sizes the canvas from its (now visible) box.
    canvas.parentElement.hidden = false;
    new Chart(canvas, {
      type: "line",
      data: { labels: series.periods, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { ticks: { callback: (value) => value + suffix } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: (ctx) => ctx.dataset.label + ": " + ctx.formattedValue + suffix,
            },
          },
        },
      },
    });
    // The chart is drawn: fold the values table (still one click away).
    const values = canvas.closest("figure") && canvas.closest("figure").querySelector("details.chart-values");
    if (values) {
      values.open = false;
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-series]").forEach(draw);
  }

  // Charts whose canvas an htmx swap removed are destroyed, so they do not leak.
  function forgetRemoved() {
    if (typeof Chart === "undefined") {
      return;
    }
    Object.values(Chart.instances).forEach((chart) => {
      if (!document.body.contains(chart.canvas)) {
        chart.destroy();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  // The whole document, not only the swapped element: the scorecard's pager appends the next
  // page's charts out of band (hx-select-oob), elsewhere than the element it swaps. Drawn charts
  // are skipped, so this only draws the new ones.
  document.addEventListener("htmx:afterSettle", () => {
    forgetRemoved();
    drawAll(document);
  });
})();
