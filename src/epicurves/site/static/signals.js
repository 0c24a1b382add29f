/* epicurves region page, surveillance section: embeds each signal chart (one Bokeh item each,
 * window.EPICURVES_SIGNAL_CHARTS, built once by epicurves.charts.layouts.signals) when it comes
 * into view and fills its named source with what signaldata.js prepares from the region's
 * signal data script (data/<id>.sig.js). Which charts the page has and what their lines are
 * come from the page's configuration (epicurves.charts.spec.SIGNAL_CHARTS). Plain ES2017, no
 * build step; after bokeh.min.js, the spec, chartdata.js, signaldata.js and site.js. */
(function () {
  "use strict";

  var Data = window.EpicurvesSignalData;
  var spec = window.EPICURVES_SPEC;
  var NAMES = spec.names;

  function setRange(range, span) {
    if (span) {
      range.setv({ start: span[0], end: span[1], reset_start: span[0], reset_end: span[1] });
    }
  }

  function model(doc, kind, chart, log) {
    var name = NAMES[kind] + chart.figure + (log ? NAMES.log : "");
    var found = doc.get_model_by_name(name);
    if (found === null) {
      throw new Error("epicurves: the signal charts have no model named " + name);
    }
    return found;
  }

  function SignalChart(doc, chart, series, forecast) {
    this.doc = doc;
    this.chart = chart;
    this.forecast = forecast;
    this.series = Data.chartSeries(chart, series);
    this.state = { scale: "linear", pathogen: null };
  }

  SignalChart.prototype.model = function (kind, log) {
    return model(this.doc, kind, this.chart, log);
  };

  /* The chart's series for the current pathogen, its columns, ranges and labels. */
  SignalChart.prototype.fill = function () {
    var chart = this.chart;
    var made = Data.signalColumns(chart, this.series, this.state);
    var fans = Data.chartFans(chart, this.series, this.state, this.forecast);
    var ranges = Data.signalRanges(chart, made.columns, this.state, fans);
    this.model("source").data = made.columns;
    var doc = this.doc;
    Object.keys(chart.fans || {}).forEach(function (i) {
      var source = doc.get_model_by_name(NAMES.fan + chart.figure + "_" + i);
      if (source) source.data = fans[i] || Data.emptyFan();
    });
    var x = this.model("xRange");
    if (ranges.bounds) {
      x.setv({ bounds: ranges.bounds });
    }
    setRange(x, ranges.x);
    var log = ranges.figure === NAMES.figure + chart.figure + NAMES.log;
    if (chart.log) {
      this.model("figure").visible = !log;
      this.model("figure", true).visible = log;
    }
    setRange(this.model("yRange", log), ranges.y);
    if (chart.lines === "age_group") {
      var span = Data.provisionalSpan(chart, made.columns, ranges);
      this.labelLines(made.labels, span !== null && span.left.length > 0);
      if (span !== null) {
        this.model("provisional").data = span;
      }
      this.model("figure").title.text = Data.chartTitle(chart);
    }
    if (chart.lines === "disease") {
      this.showDiseases(made.labels);
    }
  };

  /* A chart by disease: the title of the values chosen (per 100 000 or counts), and in the
   * legends only the diseases the region has (and the provisional weeks' entry). */
  SignalChart.prototype.showDiseases = function (labels) {
    var chart = this.chart;
    var title = chart.counts && this.state.per === "count" ? chart.countTitle : chart.title;
    var self = this;
    this.legendItems = this.legendItems || {};
    (chart.log ? [false, true] : [false]).forEach(function (log) {
      self.model("figure", log).title.text = title;
      var legend = self.model("legend", log);
      var key = log ? "log" : "linear";
      if (!self.legendItems[key]) {
        self.legendItems[key] = legend.items.slice();
      }
      legend.items = self.legendItems[key].filter(function (item) {
        if (item.label && item.label.field) return true; /* a forecast's: from its source */
        var label = item.label && item.label.value;
        return labels.indexOf(label) >= 0 || label === spec.provisionalLabel;
      });
    });
  };

  /* The age-group lines: labels in the legend and the hover, unused lines hidden. */
  SignalChart.prototype.labelLines = function (labels, shaded) {
    var legend = this.model("legend");
    if (!this.legendItems) {
      this.legendItems = legend.items.slice();
    }
    var items = [];
    var tooltips = [["date", spec.dateFormat]];
    for (var i = 0; i < spec.ageLines; i++) {
      var item = this.legendItems[i];
      var used = i < labels.length;
      item.renderers.forEach(function (renderer) {
        renderer.visible = used;
      });
      if (used) {
        item.label = { value: labels[i] };
        items.push(item);
        tooltips.push([labels[i], "@g" + i + this.chart.hover]);
      }
    }
    if (shaded) {
      items = items.concat(this.legendItems.slice(spec.ageLines));
    }
    legend.items = items;
    this.model("hover").tooltips = tooltips;
  };

  /* Whether a <select> offers ``value``. */
  function offers(select, value) {
    return Array.prototype.some.call(select.options, function (option) {
      return option.value === value && !option.disabled;
    });
  }

  /* Wires a <select> of the chart (scale, pathogen). Its value lives in the page's address
   * under "<anchor>-<key>" (e.g. #sig-wastewater-pathogen=RSV+A%2BB), beside the case charts'
   * options: restored on load and on hashchange, written on change; a value the select does
   * not offer is ignored. */
  SignalChart.prototype.control = function (id, key, fallback) {
    var self = this;
    var select = document.getElementById(id);
    if (!select) {
      self.state[key] = fallback;
      return;
    }
    var name = self.chart.anchor + "-" + key;
    var state = window.Epicurves ? window.Epicurves.readState() : {};
    if (state[name] !== undefined && offers(select, state[name])) {
      select.value = state[name];
    }
    self.state[key] = select.value || fallback;
    select.addEventListener("change", function () {
      self.state[key] = select.value;
      if (window.Epicurves) {
        var now = window.Epicurves.readState();
        now[name] = select.value;
        window.Epicurves.writeState(now);
      }
      self.fill();
    });
    window.addEventListener("hashchange", function () {
      var value = window.Epicurves.readState()[name];
      if (value !== undefined && value !== self.state[key] && offers(select, value)) {
        select.value = value;
        self.state[key] = value;
        self.fill();
      }
    });
  };

  /* Draws every chart the page declares; resolves to the SignalChart objects. */
  function render(config) {
    var items = window.EPICURVES_SIGNAL_CHARTS;
    var data = (self.EPICURVES_DATA || {})[config.key];
    var forecast = (self.EPICURVES_DATA || {})[config.key.replace(/\.sig$/, "") + ".fc"] || null;
    if (!window.Bokeh || !items || !data) {
      return Promise.reject(new Error("epicurves: Bokeh, the signal charts or the region's signals are missing"));
    }
    var done = config.charts.map(function (named) {
      /* the page names its charts; the spec gives the rest (lines by disease, titles) */
      var declared = spec.signalCharts.filter(function (c) {
        return c.anchor === named.anchor;
      });
      var chart = Object.assign({}, declared[0] || {}, named);
      return window.Epicurves.embed(items[chart.figure], "chart-" + chart.anchor).then(function (doc) {
        var signal = new SignalChart(doc, chart, data.series, forecast);
        if (chart.log) {
          signal.control("scale-" + chart.anchor, "scale", "linear");
          var logFigure = model(doc, "figure", chart, true);
          var ticker = doc.get_model_by_name(NAMES.ticks + logFigure.name);
          if (ticker && window.Epicurves) {
            window.Epicurves.followLogTicks(logFigure, ticker);
          }
        }
        if (chart.counts) {
          signal.control("per-" + chart.anchor, "per", "per100k");
        }
        if (chart.lines === "pathogen") {
          signal.control("pathogen-" + chart.anchor, "pathogen", signal.series.length ? signal.series[0].pathogen : null);
        }
        signal.fill();
        return signal;
      });
    });
    return Promise.all(done);
  }

  /* Calls back once the case charts are on screen (region.js), so that they come first. */
  function afterCaseCharts(callback) {
    var region = window.EpicurvesRegion;
    if (!region || document.body.dataset.chartsReady === "1" || document.body.dataset.chartsError) {
      callback();
    } else {
      document.addEventListener(region.READY_EVENT, callback, { once: true });
    }
  }

  function start() {
    var config = document.getElementById("signals-config");
    if (!config) return;
    afterCaseCharts(function () {
      draw(JSON.parse(config.textContent));
    });
  }

  function draw(config) {
    render(config).then(
      function () {
        document.body.dataset.signalsReady = "1";
      },
      function (error) {
        document.body.dataset.signalsError = String(error && error.message);
        throw error;
      }
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.EpicurvesSignals = { render: render };
})();
