/* epicurves region page, surveillance section: embeds each signal chart (one Bokeh item each,
 * window.EPICURVES_SIGNAL_CHARTS, built once by epicurves.plots.signal_items) and fills its
 * named source from the region's signal data script (data/<id>.sig.js, registered as
 * "<id>.sig"). Which charts the page has and what their lines are come from the page's
 * configuration (epicurves.site.signals.SIGNAL_CHARTS). Plain ES2017, no build step. */
(function () {
  "use strict";

  var DAY = 86400000;
  var AGE_LINES = 8;

  /* A series' dates (ms) and values (null where missing) from its compact form. */
  function expand(series) {
    var start = Date.parse(series.start + "T00:00:00Z");
    var step = (series.step | 0) * DAY;
    var n = Math.max(series.v.length, series.lo ? series.lo.length : 0, series.hi ? series.hi.length : 0);
    var out = { x: [], v: [], lo: [], hi: [] };
    for (var i = 0; i < n; i++) {
      out.x.push(start + i * step);
      ["v", "lo", "hi"].forEach(function (key) {
        var values = series[key];
        var value = values && i < values.length ? values[i] : null;
        out[key].push(value === undefined ? null : value);
      });
    }
    return out;
  }

  /* Columns aligned on the union of the given series' dates: {x, name: values}. */
  function align(named) {
    var days = {};
    named.forEach(function (pair) {
      pair[1].x.forEach(function (x) {
        days[x] = true;
      });
    });
    var x = Object.keys(days).map(Number).sort(function (a, b) {
      return a - b;
    });
    var where = {};
    x.forEach(function (value, i) {
      where[value] = i;
    });
    var columns = { x: x };
    named.forEach(function (pair) {
      var column = new Array(x.length).fill(NaN);
      pair[1].x.forEach(function (value, i) {
        var v = pair[1][pair[2] || "v"][i];
        column[where[value]] = v === null ? NaN : v;
      });
      columns[pair[0]] = column;
    });
    return columns;
  }

  function finite(values) {
    return Array.prototype.filter.call(values, function (v) {
      return isFinite(v);
    });
  }

  function setRange(range, start, end) {
    if (isFinite(start) && isFinite(end) && end > start) {
      range.setv({ start: start, end: end, reset_start: start, reset_end: end });
    }
  }

  function SignalChart(doc, chart, series) {
    this.doc = doc;
    this.chart = chart;
    this.series = series.filter(function (s) {
      return s.signal === chart.signal && chart.estimates.indexOf(s.estimate) >= 0;
    });
    this.state = { scale: "linear", pathogen: null };
  }

  SignalChart.prototype.model = function (name) {
    var model = this.doc.get_model_by_name(name);
    if (model === null) {
      throw new Error("epicurves: the signal charts have no model named " + name);
    }
    return model;
  };

  /* The source's columns for the current choice (pathogen) of the chart. */
  SignalChart.prototype.columns = function () {
    var chart = this.chart;
    var picked = this.series;
    if (chart.lines === "pathogen") {
      var pathogen = this.state.pathogen;
      picked = picked.filter(function (s) {
        return s.pathogen === pathogen;
      });
    }
    var named = [];
    var labels = [];
    if (chart.lines === "age_group") {
      var ordered = picked.slice().sort(function (a, b) {
        /* all ages first, then the groups in order */
        var ka = a.age_group === "00+" ? "" : a.age_group;
        var kb = b.age_group === "00+" ? "" : b.age_group;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
      ordered.slice(0, AGE_LINES).forEach(function (s, i) {
        named.push(["g" + i, expand(s)]);
        labels.push(s.age_group === "00+" ? "all ages" : s.age_group);
      });
    } else {
      picked.forEach(function (s) {
        var data = expand(s);
        named.push([s.estimate, data]);
        if (s.lo) {
          named.push(["lo", data, "lo"]);
          named.push(["hi", data, "hi"]);
        }
      });
    }
    var columns = align(named);
    var n = columns.x.length;
    Object.keys(this.model("src_" + chart.figure).data).forEach(function (key) {
      if (!columns[key]) columns[key] = new Array(n).fill(NaN);
    });
    return { columns: columns, labels: labels };
  };

  SignalChart.prototype.fill = function () {
    var chart = this.chart;
    var made = this.columns();
    var columns = made.columns;
    var log = chart.log && this.state.scale === "log";
    var source = this.model("src_" + chart.figure);
    source.data = columns;
    var x = columns.x;
    if (x.length) {
      var span = Math.max(x[x.length - 1] - x[0], 7 * DAY);
      var range = this.model("x_" + chart.figure);
      range.setv({ bounds: [x[0] - 0.1 * span, x[x.length - 1] + 0.1 * span] });
      setRange(range, x[0] - 0.02 * span, x[x.length - 1] + 0.02 * span);
    }
    var values = [];
    Object.keys(columns).forEach(function (key) {
      if (key !== "x") values = values.concat(finite(columns[key]));
    });
    if (chart.log) {
      this.model("fig_" + chart.figure).visible = !log;
      this.model("fig_" + chart.figure + "_log").visible = log;
    }
    if (log) {
      var positive = values.filter(function (v) {
        return v > 0;
      });
      var lo = Math.min.apply(null, positive.length ? positive : [1]);
      var hi = Math.max.apply(null, positive.length ? positive : [10]);
      setRange(this.model("y_" + chart.figure + "_log"), lo / 1.5, hi * 1.6);
    } else {
      var top = values.length ? Math.max.apply(null, values) : 1;
      setRange(this.model("y_" + chart.figure), 0, (top > 0 ? top : 1) * 1.08);
    }
    if (chart.lines === "age_group") {
      this.labelLines(made.labels);
    }
  };

  /* The age-group lines: labels in the legend and the hover, unused lines hidden. */
  SignalChart.prototype.labelLines = function (labels) {
    var legend = this.model("legend_" + this.chart.figure);
    if (!this.legendItems) {
      this.legendItems = legend.items.slice();
    }
    var items = [];
    var tooltips = [["date", "@x{%a %d %b %Y}"]];
    for (var i = 0; i < AGE_LINES; i++) {
      var item = this.legendItems[i];
      var used = i < labels.length;
      item.renderers.forEach(function (renderer) {
        renderer.visible = used;
      });
      if (used) {
        item.label = { value: labels[i] };
        items.push(item);
        tooltips.push([labels[i], "@g" + i + "{0,0.[00]}"]);
      }
    }
    legend.items = items;
    this.model("hover_" + this.chart.figure).tooltips = tooltips;
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

  function documentOf(views) {
    var roots = views && views.roots ? Array.from(views.roots) : views ? Array.from(views) : [];
    if (roots.length && roots[0].model && roots[0].model.document) {
      return roots[0].model.document;
    }
    return window.Bokeh.documents[window.Bokeh.documents.length - 1];
  }

  /* Draws every chart the page declares; resolves to the SignalChart objects. */
  function render(config) {
    var items = window.EPICURVES_SIGNAL_CHARTS;
    var data = (self.EPICURVES_DATA || {})[config.key];
    if (!window.Bokeh || !items || !data) {
      return Promise.reject(new Error("epicurves: Bokeh, the signal charts or the region's signals are missing"));
    }
    var done = config.charts.map(function (chart) {
      return window.Bokeh.embed.embed_item(items[chart.figure], "chart-" + chart.anchor).then(function (views) {
        var doc = documentOf(views);
        var signal = new SignalChart(doc, chart, data.series);
        if (chart.log) {
          signal.control("scale-" + chart.anchor, "scale", "linear");
          var ticker = doc.get_model_by_name("ticks_fig_" + chart.figure + "_log");
          if (ticker && window.Epicurves) {
            window.Epicurves.followLogTicks(doc.get_model_by_name("fig_" + chart.figure + "_log"), ticker);
          }
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

  function start() {
    var config = document.getElementById("signals-config");
    if (!config) return;
    render(JSON.parse(config.textContent)).then(
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

  window.EpicurvesSignals = { render: render, expand: expand };
})();
