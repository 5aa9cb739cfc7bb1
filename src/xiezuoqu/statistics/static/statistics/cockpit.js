// 统计: draws the cockpit's charts from the json_script tag the page carries (CSP: no inline script).
// The numbers are also in the page's tables; the charts only draw them.
(function () {
  "use strict";
  function chart(id, option) {
    var holder = document.getElementById(id);
    if (!holder || !window.echarts) { return; }
    var c = window.echarts.init(holder);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function pie(data) {
    return { tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" }, series: [{ type: "pie", radius: ["35%", "65%"], data: data, label: { formatter: "{b} {c}" } }] };
  }
  function draw() {
    var source = document.getElementById("statistics-chart-data");
    if (!source) { return; }
    var d = JSON.parse(source.textContent);
    chart("chart-rates", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { data: [String(d.year), String(d.year - 1)] },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: [
        { name: String(d.year), type: "line", data: d.rates, connectNulls: false },
        { name: String(d.year - 1), type: "line", data: d.last_rates, lineStyle: { type: "dashed" } }
      ]
    });
    chart("chart-disposals", pie(d.disposals));
    chart("chart-forms", pie(d.forms));
    chart("chart-parts", {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.parts.map(function (p) { return p.name; }), axisLabel: { interval: 0, rotate: d.parts.length > 4 ? 30 : 0, formatter: function (v) { return v.replace(/(街道)?纪(工)?委$/, ""); } } },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: [{ type: "bar", data: d.parts.map(function (p) { return p.rate; }) }]
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
