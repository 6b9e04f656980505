// The case analysis charts: each [data-echart] element carries its numbers (the same as the table
// below it) as JSON; drawn with the locally served ECharts. No inline script (strict CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  document.querySelectorAll("[data-echart]").forEach(function (element) {
    var spec;
    try {
      spec = JSON.parse(element.getAttribute("data-echart") || "{}");
    } catch (error) {
      element.hidden = true;
      return;
    }
    if (!spec.categories || !spec.categories.length) {
      element.hidden = true;
      return;
    }
    element.style.height = "260px";
    var chart = echarts.init(element, null, { renderer: "svg" });
    var colors = ["#c8102e", "#1f6feb", "#2da44e"];
    chart.setOption({
      animation: false,
      color: colors,
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { rotate: spec.categories.length > 6 ? 40 : 0, fontSize: 10 } },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      ],
      series: spec.series.map(function (series) {
        var rate = series.axis === 1;
        return {
          name: series.name,
          type: rate ? "line" : spec.type,
          yAxisIndex: series.axis,
          data: series.values,
          connectNulls: false,
        };
      }),
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  });
})();
