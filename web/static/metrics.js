// Draws the charts of the Model metrics tabs with Chart.js. Each chart's
// data is JSON in a <script type="application/json" class="chart-data">
// beside its canvas: the Content-Security-Policy runs no script written in
// the page. Without this file the tab still shows its table of values, and
// the charts stay hidden.
"use strict";

(function () {
  const colors = ["#1d4ed8", "#c2410c", "#15803d", "#7c3aed"];
  const bandColor = "rgba(29, 78, 216, 0.15)";
  const referenceColor = "#64748b";
  const day = 24 * 3600 * 1000;

  // datasets turns a chart's data into Chart.js datasets: its lines, the
  // range of each bucket as a band, and the reference as a dashed line.
  function datasets(data) {
    const out = data.lines.map(function (line, i) {
      const color = colors[i % colors.length];
      return {label: line.label, data: line.points, yAxisID: line.axis, borderColor: color, backgroundColor: color,
        borderWidth: 2, pointRadius: line.points.length > 60 ? 0 : 2, tension: 0};
    });
    if (data.band && data.band.length) {
      const upper = data.band.map(function (b) { return {x: b.x, y: b.max}; });
      const lower = data.band.map(function (b) { return {x: b.x, y: b.min}; });
      out.push({label: "Highest", data: upper, yAxisID: "y", band: true, borderWidth: 0, pointRadius: 0, fill: "+1", backgroundColor: bandColor});
      out.push({label: "Lowest", data: lower, yAxisID: "y", band: true, borderWidth: 0, pointRadius: 0, fill: false});
    }
    if (data.reference) {
      let first = Infinity, last = -Infinity;
      data.lines.forEach(function (line) {
        line.points.forEach(function (p) { first = Math.min(first, p.x); last = Math.max(last, p.x); });
      });
      if (first === Infinity) return out;
      if (first === last) { first -= day; last += day; }
      const v = data.reference.value;
      out.push({label: data.reference.label, data: [{x: first, y: v}, {x: last, y: v}], yAxisID: "y",
        borderColor: referenceColor, backgroundColor: referenceColor, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0});
    }
    return out;
  }

  function options(data) {
    const scales = {
      x: {type: "time", ticks: {maxTicksLimit: 5, maxRotation: 0},
        time: {tooltipFormat: "yyyy-MM-dd HH:mm", displayFormats: {hour: "MMM d HH:mm", day: "MMM d", week: "MMM d", month: "MMM yy", quarter: "MMM yy"}}},
      y: {ticks: {maxTicksLimit: 6}},
    };
    if (data.lines.some(function (l) { return l.axis === "y2"; })) {
      scales.y2 = {position: "right", grid: {drawOnChartArea: false}, ticks: {maxTicksLimit: 6}};
    }
    return {
      responsive: true, maintainAspectRatio: false, animation: false, parsing: true,
      interaction: {mode: "nearest", axis: "x", intersect: false},
      scales: scales,
      plugins: {
        legend: {position: "bottom", labels: {boxWidth: 12, font: {size: 11},
          filter: function (item, chartData) { return !chartData.datasets[item.datasetIndex].band; }}},
        tooltip: {filter: function (item) { return !item.dataset.band; }},
      },
    };
  }

  // draw draws every chart under root that is not drawn yet.
  function draw(root) {
    if (typeof Chart === "undefined" || !root.querySelectorAll) return;
    const boxes = [...root.querySelectorAll(".metric-charts")];
    if (root.matches && root.matches(".metric-charts")) boxes.push(root);
    boxes.forEach(function (box) {
      box.hidden = false;
      box.querySelectorAll("figure.metric-chart").forEach(function (figure) {
        const canvas = figure.querySelector("canvas");
        const json = figure.querySelector("script.chart-data");
        if (!canvas || !json || Chart.getChart(canvas)) return;
        let data;
        try {
          data = JSON.parse(json.textContent);
        } catch (e) {
          return;
        }
        new Chart(canvas, {type: "line", data: {datasets: datasets(data)}, options: options(data)});
      });
    });
  }

  // Charts about to be replaced by htmx let go of their canvas first.
  function destroy(root) {
    if (typeof Chart === "undefined" || !root || !root.querySelectorAll) return;
    root.querySelectorAll(".metric-charts canvas").forEach(function (canvas) {
      const chart = Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
  document.addEventListener("htmx:beforeSwap", function (event) { destroy(event.detail.target); });
})();
