// Coverage dashboard charts. Data comes from the page through json_script (no inline scripts: CSP).
(function () {
  "use strict";
  var source = document.getElementById("coverage-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colors = ["#b71c1c", "#f9a825"];
  var percent = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } };

  function draw(id, options) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element);
    chart.setOption(options);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function series(block, type) {
    return [
      { name: block.series[0], type: type, data: block.org, itemStyle: { color: colors[0] } },
      { name: block.series[1], type: type, data: block.work, itemStyle: { color: colors[1] } }
    ];
  }

  draw("children-chart", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(1) + " %"; } },
    legend: { top: 0 },
    grid: { left: 48, right: 16, bottom: 72, top: 36 },
    xAxis: { type: "category", data: data.children.labels, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: percent,
    series: series(data.children, "bar")
  });
  draw("trend-chart", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(1) + " %"; } },
    legend: { top: 0 },
    grid: { left: 48, right: 16, bottom: 40, top: 36 },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: percent,
    series: series(data.trend, "line")
  });
})();
