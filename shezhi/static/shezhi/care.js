/* Care pages: the coverage bar chart (vendored Apache ECharts; the table below it is the
   fallback) and the live refresh of a campaign's progress. No outside URL. */
(function () {
  "use strict";

  function drawCoverage() {
    var box = document.getElementById("coverage-chart");
    var raw = document.getElementById("coverage-data");
    if (!box || !raw || typeof window.echarts === "undefined") return;
    var data = JSON.parse(raw.textContent);
    if (!data.names.length) { box.style.display = "none"; return; }
    box.style.height = Math.max(220, 28 * data.names.length + 80) + "px";
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      title: { text: data.title, left: "center", textStyle: { fontSize: 14 } },
      grid: { left: 8, right: 48, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: [{
        type: "bar",
        data: data.shares,
        label: { show: true, position: "right", formatter: "{c}%" },
        itemStyle: {
          color: function (p) { return p.value >= 90 ? "#2e7d32" : p.value >= 60 ? "#e09b00" : "#c8302a"; }
        }
      }]
    });
    box.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function liveRefresh() {
    var live = document.querySelector("[data-live]");
    if (!live || !window.fetch || !window.DOMParser) return;
    var seconds = parseInt(live.getAttribute("data-live"), 10) || 20;
    window.setInterval(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(live.id);
          if (fresh) live.innerHTML = fresh.innerHTML;
        })
        .catch(function () { /* keep the last figures */ });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCoverage();
    liveRefresh();
  });
})();
