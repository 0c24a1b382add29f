/* epicurves Forecasts page: embeds the chart of coverage by horizon (forecasts/coverage.js, a
 * Bokeh json_item assigned to self.EPICURVES_COVERAGE) into #coverage-chart; the table under
 * it gives the same numbers. Sets body[data-coverage-ready] once drawn, or
 * body[data-coverage-error]. Plain ES2017; needs bokeh.min.js and the chart's script first. */
(function () {
  "use strict";

  function start() {
    var target = document.getElementById("coverage-chart");
    if (!target) return;
    var item = self.EPICURVES_COVERAGE;
    if (!window.Bokeh || !item) {
      document.body.dataset.coverageError = "Bokeh or the chart did not load";
      return;
    }
    window.Bokeh.embed.embed_item(item, target.id).then(
      function () {
        window.requestAnimationFrame(function () {
          document.body.dataset.coverageReady = "1";
        });
      },
      function (error) {
        document.body.dataset.coverageError = String(error);
      }
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
