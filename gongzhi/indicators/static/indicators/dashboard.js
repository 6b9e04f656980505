// The dashboard chart: reads its numbers from the data-chart attribute (the same figures as the
// tables on the page) and draws them with the locally served ECharts. No inline script: the page
// keeps a strict Content-Security-Policy.
(function () {
  "use strict";
  var element = document.getElementById("indicator-chart");
  if (!element || typeof echarts === "undefined") {
    return;
  }
  var spec;
  try {
    spec = JSON.parse(element.getAttribute("data-chart") || "{}");
  } catch (error) {
    return;
  }
  if (!spec.series || !spec.series.length || !spec.categories || !spec.categories.length) {
    element.hidden = true;
    return;
  }
  var rows = spec.categories.length;
  element.style.height = Math.max(220, Math.min(rows, 40) * 28 + 60) + "px";
  var chart = echarts.init(element, null, { renderer: "svg" });
  var select = document.getElementById("chart-series");

  function draw(index) {
    var series = spec.series[index];
    chart.setOption(
      {
        animation: false,
        grid: { left: 8, right: 40, top: 10, bottom: 24, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: spec.categories, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
        series: [
          {
            name: series.name,
            type: "bar",
            data: series.values,
            itemStyle: { color: "#c8102e" },
            label: { show: rows <= 40, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } },
          },
        ],
      },
      true
    );
  }

  if (select && spec.mode === "breakdown") {
    spec.series.forEach(function (series, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = series.name;
      select.appendChild(option);
    });
    select.hidden = false;
    select.addEventListener("change", function () {
      draw(Number(select.value));
    });
  }
  draw(0);
  window.addEventListener("resize", function () {
    chart.resize();
  });
})();
