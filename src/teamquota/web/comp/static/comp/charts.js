// Draws the Plotly charts a page declares: <div class="chart" data-chart="kind"
// data-source="json-script-id">. Money arrives as strings and is plotted as numbers.
(function () {
  function num(a) { return (a || []).map(Number); }
  var layoutBase = { margin: { t: 30, r: 20, b: 45, l: 70 }, font: { size: 12 },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", legend: { orientation: "h", y: -0.2 } };
  var draw = {
    pace: function (d) {
      var traces = [{ x: d.x, y: num(d.y), name: "credited", type: "scatter",
        mode: "lines", line: { color: "#0b6e4f", width: 3 } }];
      if (d.pace) traces.push({ x: d.pace.x, y: num(d.pace.y), name: "pace to target",
        type: "scatter", mode: "lines", line: { color: "#9fb3c8", dash: "dash" } });
      return [traces, { title: { text: "Progress to target" } }];
    },
    members: function (d) {
      return [[{ x: d.x, y: num(d.y), type: "bar", marker: { color: "#2680c2" } }],
              { title: { text: "Contribution by member" } }];
    },
    trend: function (d) {
      return [[{ x: d.x, y: num(d.y), type: "scatter", mode: "lines+markers",
        line: { color: "#0b6e4f" } }], { title: { text: "Team attainment by period (%)" },
        yaxis: { ticksuffix: "%" } }];
    },
    curve: function (d) {
      return [[{ x: num(d.x), y: num(d.y), type: "scatter", mode: "lines+markers",
        line: { color: "#2680c2" } }], { title: { text: d.title },
        xaxis: { title: { text: "attainment" }, ticksuffix: "%" },
        yaxis: { title: { text: "payout factor" }, ticksuffix: "%" } }];
    }
  };
  function render() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.dataset.source);
      if (!src) return;
      var out = draw[el.dataset.chart](JSON.parse(src.textContent));
      Plotly.newPlot(el, out[0], Object.assign({}, layoutBase, out[1]),
        { displaylogo: false, responsive: true, staticPlot: false });
    });
  }
  document.addEventListener("DOMContentLoaded", render);
})();
