/* Figures pages: the dashboard's sparklines, trend, ranking and breakdown charts and the wall
   screen (vendored Apache ECharts; every chart has its numbers in a table or tile beside it).
   Each chart box names the <script type="application/json"> that holds its data:
   {name, unit, names: [...], values: [... | null], shown: [...], links?: [...]}; a null value is a
   figure suppressed ("<5") and is drawn as a gap. The wall screen fetches its page again every
   data-refresh seconds and redraws. No outside URL. */
(function () {
  "use strict";

  var LIGHT = { text: "#1f2329", muted: "#646a73", line: "#e5e6eb", main: "#c8302a", bars: "#2b6cb0" };
  var DARK = { text: "#e8edf5", muted: "#9fb0c8", line: "#2a3a55", main: "#4fc3f7", bars: "#ffb74d" };
  var charts = [];

  function data(box) {
    var raw = document.getElementById(box.getAttribute("data-chart"));
    return raw ? JSON.parse(raw.textContent) : null;
  }

  function tooltip(d) {
    return function (p) {
      var item = Array.isArray(p) ? p[0] : p;
      return item.name + "：" + d.shown[item.dataIndex] + " " + d.unit;
    };
  }

  function option(kind, d, c, large) {
    var font = large ? 18 : 12;
    var axis = { color: c.muted, fontSize: font };
    if (kind === "spark") {
      return {
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        tooltip: { trigger: "axis", formatter: tooltip(d), confine: true },
        xAxis: { type: "category", data: d.names, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: d.values, symbol: "none", connectNulls: false,
                   lineStyle: { width: 2, color: c.main }, areaStyle: { color: c.main, opacity: 0.08 } }]
      };
    }
    if (kind === "line") {
      return {
        animation: false,
        grid: { left: 8, right: 16, top: large ? 40 : 28, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", formatter: tooltip(d) },
        xAxis: { type: "category", data: d.names, axisLabel: axis, axisLine: { lineStyle: { color: c.line } } },
        yAxis: { type: "value", name: d.unit, nameTextStyle: axis, axisLabel: axis,
                 splitLine: { lineStyle: { color: c.line } } },
        series: [{ type: "line", data: d.values, symbolSize: large ? 10 : 6, connectNulls: false,
                   lineStyle: { width: large ? 4 : 2, color: c.main }, itemStyle: { color: c.main },
                   areaStyle: { color: c.main, opacity: 0.1 } }]
      };
    }
    // "ranking" (child units, largest first, top to bottom) and "bars" (a breakdown)
    return {
      animation: false,
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltip(d) },
      xAxis: { type: "value", axisLabel: axis, splitLine: { lineStyle: { color: c.line } } },
      yAxis: { type: "category", data: d.names, inverse: true, axisLabel: axis },
      series: [{ type: "bar", data: d.values, barMaxWidth: large ? 28 : 18,
                 itemStyle: { color: kind === "ranking" ? c.main : c.bars },
                 label: { show: true, position: "right", color: c.text, fontSize: font,
                          formatter: function (p) { return d.shown[p.dataIndex]; } } }]
    };
  }

  function draw(box) {
    var d = data(box);
    if (!d || typeof window.echarts === "undefined") return;
    var kind = box.getAttribute("data-kind");
    if (!d.names.length) { box.classList.add("fig-empty"); return; }
    if ((kind === "ranking" || kind === "bars") && !box.classList.contains("screen-chart")) {
      box.style.height = Math.max(160, 30 * d.names.length + 40) + "px";
    }
    var dark = box.getAttribute("data-theme") === "dark";
    var chart = window.echarts.init(box);
    chart.setOption(option(kind, d, dark ? DARK : LIGHT, dark));
    if (d.links) {  // a bar of the ranking opens that unit's figures
      chart.on("click", function (p) { if (d.links[p.dataIndex]) window.location.href = d.links[p.dataIndex] + "#focus"; });
    }
    box.setAttribute("data-drawn", "1");
    charts.push(chart);
  }

  function drawAll(root) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    Array.prototype.forEach.call(root.querySelectorAll("[data-chart]"), draw);
  }

  function refreshScreen() {
    var body = document.getElementById("screen-body");
    if (!body || !window.fetch || !window.DOMParser) return;
    var seconds = parseInt(body.getAttribute("data-refresh"), 10) || 300;
    window.setInterval(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("screen-body");
          if (!fresh) return;  // e.g. signed out: keep the last figures on the wall
          body.innerHTML = fresh.innerHTML;
          drawAll(body);
        })
        .catch(function () { /* the network is down: keep the last figures */ });
    }, seconds * 1000);
  }

  function periodFields() {
    // A custom period asks for its first and last day; every other kind for one value.
    var kind = document.querySelector(".fig-picker select[name=kind]");
    if (!kind) return;
    function show() {
      var custom = kind.value === "custom";
      Array.prototype.forEach.call(document.querySelectorAll(".fig-custom"), function (el) { el.hidden = !custom; });
      var value = document.querySelector(".fig-value-field");
      if (value) value.hidden = custom;
    }
    kind.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    periodFields();
    drawAll(document);
    refreshScreen();
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
