// 关系图谱: draws the graph whose data the page passes in a json_script tag (CSP: no inline script).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("clue-graph");
    var source = document.getElementById("clue-graph-data");
    if (!holder || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { formatter: function (p) { return p.dataType === "node" ? p.data.name + "（" + p.data.value + "）" : ""; } },
      legend: [{ data: data.categories.map(function (c) { return c.name; }) }],
      series: [{
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        label: { show: true, position: "right" },
        force: { repulsion: 220, edgeLength: 90 },
        categories: data.categories,
        data: data.nodes.map(function (n) {
          return { id: n.id, name: n.name, value: n.value, category: n.category, url: n.url, symbolSize: n.category === 0 ? 22 : 30 };
        }),
        links: data.links
      }]
    });
    chart.on("click", function (p) {
      if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
