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
      // from 0: a period that opens with a large deal must not start the axis above it
      return [traces, { title: { text: "Progress to target" }, yaxis: { rangemode: "tozero" } }];
    },
    members: function (d) {
      return [[{ x: d.x, y: num(d.y), type: "bar", marker: { color: "#2680c2" } }],
              { title: { text: "Contribution by member" } }];
    },
    // attainment against its reference lines (gate, target 100%) on an axis from 0, so a
    // fall from 75% to 70% is drawn as the small step it is, below the gate it matters for
    trend: function (d) {
      var lines = d.lines || [], y = num(d.y);
      var top = Math.max.apply(null, y.concat(lines.map(function (l) { return Number(l.y); }), [0]));
      var shapes = lines.map(function (l, i) { return { type: "line", xref: "paper", x0: 0, x1: 1,
        y0: Number(l.y), y1: Number(l.y), line: { dash: i ? "dash" : "dot", width: 2,
          color: i ? "#0b6e4f" : "#c0392b" } }; });
      var notes = lines.map(function (l) { return { xref: "paper", x: 1, xanchor: "right",
        y: Number(l.y), yanchor: "bottom", text: l.name, showarrow: false,
        font: { size: 11 } }; });
      // a short title (a phone's chart is 330 px wide): the lines are labelled on the chart,
      // and the text alternative names them (describe)
      return [[{ x: d.x, y: y, name: "team attainment", type: "scatter", mode: "lines+markers",
        line: { color: "#0b6e4f" } }], { title: { text: "Team attainment by period (%)" },
        yaxis: { ticksuffix: "%", range: [0, top * 1.1 || 1], rangemode: "tozero" },
        shapes: shapes, annotations: notes, showlegend: false }, lines];
    },
    curve: function (d) {
      return [[{ x: num(d.x), y: num(d.y), type: "scatter", mode: "lines+markers",
        line: { color: "#2680c2" } }], { title: { text: d.title },
        xaxis: { title: { text: "attainment" }, ticksuffix: "%", rangemode: "tozero" },
        yaxis: { title: { text: "payout factor" }, ticksuffix: "%", rangemode: "tozero" } }];
    },
    watch: function (d) {
      var pct = function (a) { return a.map(function (v) { return v == null ? null : v * 100; }); };
      var y = pct(d.y), hi = pct(d.high);
      var traces = [{ x: d.x, y: y, name: "shrunk mean attainment", type: "scatter",
        mode: "markers", marker: { size: 11, color: d.flagged.map(function (f) {
          return f ? "#c0392b" : "#2680c2"; }) },
        // one colour for the bars: Plotly takes an error bar's colour from the marker's,
        // and an array of colours there is "Invalid color specifier" (bars drawn black)
        error_y: { type: "data", symmetric: false, color: "#52606d", array: hi.map(function (h, i) {
          return h == null || y[i] == null ? 0 : h - y[i]; }), arrayminus: y.map(function () {
          return 0; }) } },
        { x: d.x, y: pct(d.raw), name: "raw mean", type: "scatter", mode: "markers",
          marker: { symbol: "x", color: "#9fb3c8" } }];
      var shapes = d.peer == null ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1,
        y0: d.peer * 100, y1: d.peer * 100, line: { dash: "dash", color: "#0b6e4f" } }];
      return [traces, { title: { text: "Attainment, shrunk, with upper bound (line: peers' median)" },
        yaxis: { ticksuffix: "%", rangemode: "tozero" }, shapes: shapes }];
    },
    strengths: function (d) {
      var pct = function (a) { return a.map(function (v) { return v == null ? null : v * 100; }); };
      var y = pct(d.y), lo = pct(d.low), hi = pct(d.high);
      return [[{ x: d.x, y: y, name: "win rate, shrunk", type: "scatter", mode: "markers",
        marker: { size: 11, color: "#0b6e4f" }, error_y: { type: "data", symmetric: false,
          color: "#52606d",
          array: hi.map(function (h, i) { return h - y[i]; }),
          arrayminus: lo.map(function (l, i) { return y[i] - l; }) } },
        { x: d.x, y: pct(d.raw), name: "raw win rate", type: "scatter", mode: "markers",
          marker: { symbol: "x", color: "#9fb3c8" } }],
        { title: { text: "Win rate with 90% interval" },
          yaxis: { ticksuffix: "%", rangemode: "tozero" } }];
    },
    // a figure built by the insights library (teamquota.insights.figures), as plotly JSON
    figure: function (d) { return [d.data, d.layout || {}]; },
    conflicts: function (d) {
      return [[{ x: d.x, y: num(d.same), name: "within the team", type: "bar",
        marker: { color: "#0b6e4f" } }, { x: d.x, y: num(d.cross), name: "across teams",
        type: "bar", marker: { color: "#c0392b" } }],
        { title: { text: "Pipeline conflicts by period" }, barmode: "stack" }];
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
      describe(el, out[0], out[1], out[2] || []);
    });
  }
  // A text alternative for screen readers: the chart is named by its title and described
  // by a visually hidden table of the figures it plots (one row per x value), reference
  // lines (a gate, a target) as columns of their constant value.
  function describe(el, traces, layout, lines) {
    var title = (layout.title && (layout.title.text || layout.title)) || el.dataset.chart;
    var id = (el.id || el.dataset.source) + "-figures";
    var old = document.getElementById(id);
    if (old) old.parentNode.remove();
    // a table keeps its content's width: the box that hides it is a div around it
    var box = document.createElement("div"), table = document.createElement("table");
    box.className = "sr-only";
    box.appendChild(table);
    table.id = id;
    if (lines.length) title = String(title) + ", with " +
      lines.map(function (l) { return l.name; }).join(" and ") + " lines";
    table.createCaption().textContent = String(title);
    var series = (traces || []).filter(function (t) { return Array.isArray(t.x) && Array.isArray(t.y); });
    var head = table.createTHead().insertRow();
    head.appendChild(document.createElement("th")).textContent = "";
    series.forEach(function (t, i) {
      head.appendChild(document.createElement("th")).textContent = t.name || "value " + (i + 1);
    });
    lines.forEach(function (l) {
      head.appendChild(document.createElement("th")).textContent = l.name;
    });
    var body = table.createTBody(), xs = [];
    series.forEach(function (t) { t.x.forEach(function (x) { if (xs.indexOf(x) < 0) xs.push(x); }); });
    xs.slice(0, 200).forEach(function (x) {
      var row = body.insertRow();
      row.appendChild(document.createElement("th")).textContent = String(x);
      series.forEach(function (t) {
        var i = t.x.indexOf(x), v = i < 0 ? null : t.y[i];
        row.insertCell().textContent = v == null ? "—" : String(v);
      });
      lines.forEach(function (l) { row.insertCell().textContent = String(l.y); });
    });
    el.insertAdjacentElement("afterend", box);
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", String(title));
    el.setAttribute("aria-describedby", id);
  }
  document.addEventListener("DOMContentLoaded", render);
  // pages that swap results in with htmx (work allocation) draw the new charts
  document.addEventListener("htmx:afterSettle", render);
})();
