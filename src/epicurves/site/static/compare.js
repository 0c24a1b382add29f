/* epicurves compare page: overlays one metric of the regions chosen in a searchable picker,
 * in one Bokeh figure built in the browser with BokehJS's plotting API. The view (regions,
 * metric, units, scale, window) lives in the URL (#regions=DE,FR&metric=...), so a link gives
 * it back. Data come from the regions' data scripts (site.js: Epicurves.load), which also
 * load from file://. Plain ES2017, no build step; needs bokeh.min.js, bokeh-api.min.js and
 * site.js loaded first. */
(function () {
  "use strict";

  var spec = self.EPICURVES_SPEC;
  var DAY = spec.day;
  /* Every colour has a contrast of at least 3:1 with the chart's background (WCAG AA). */
  var COLOURS = spec.compareColours;
  var MAX_LINES = COLOURS.length;
  /* Metric -> label, unit ("count" can be shown per 100 000, "rate" is already per 100 000
   * and can be shown as a count, "ratio" has no unit) and, for a rate, its label as a count:
   * epicurves.METRICS. */
  var METRICS = spec.metrics;
  var FIRST_METRIC = spec.compare[0];
  var ALL = Object.keys(spec.windows).filter(function (key) {
    return spec.windows[key] === null;
  })[0];

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function valueOf(id, fallback) {
    var element = byId(id);
    return element && element.value ? element.value : fallback;
  }

  function timestamps(dates) {
    var out = new Float64Array(dates.length);
    for (var i = 0; i < dates.length; i++) {
      out[i] = Date.parse(dates[i] + "T00:00:00Z");
    }
    return out;
  }

  /* The values of one metric in the chosen units; null when the units need a population. */
  function series(payload, metric, per, log) {
    var kind = METRICS[metric] ? METRICS[metric].unit : "ratio";
    var population = payload.population > 0 ? payload.population : null;
    var factor = 1;
    if (kind === "count" && per === "per100k") {
      if (population === null) return null;
      factor = 1e5 / population;
    } else if (kind === "rate" && per === "count") {
      if (population === null) return null;
      factor = population / 1e5;
    }
    var raw = payload[metric] || [];
    var out = new Float64Array(payload.dates ? payload.dates.length : raw.length);
    for (var i = 0; i < out.length; i++) {
      var v = raw[i] === null || raw[i] === undefined ? NaN : raw[i] * factor;
      out[i] = log && !(v > 0) ? NaN : v;
    }
    return out;
  }

  function title(metric, per, log) {
    var info = METRICS[metric] || { label: metric, unit: "ratio" };
    var text = info.label;
    if (info.unit === "count" && per === "per100k") text += spec.perSuffix;
    if (info.unit === "rate") text = per === "count" ? info.asCount : text + spec.perSuffix;
    return text + (log ? spec.logSuffix : "");
  }

  function Compare(options, config) {
    var self = this;
    this.options = options;
    this.config = config;
    this.target = byId(options.target);
    this.text = byId(options.text);
    this.view = null;
    this.drawn = 0;
    this.chart = document.createElement("div");
    this.target.appendChild(this.chart);
    this.picker = new window.EpicurvesPicker(config.regions, function () {
      self.changed();
    });
  }

  /* A region's payload with what the metric needs: the small incidence file alone for
   * incidence, the main file otherwise. */
  Compare.prototype.load = function (id, metric) {
    var base = this.config.data;
    var Epicurves = window.Epicurves;
    if (metric === spec.incidence) {
      return Epicurves.load(base, id + ".inc").then(function (inc) {
        return inc ? Epicurves.expand(null, inc) : null;
      });
    }
    return Epicurves.load(base, id).then(function (main) {
      return main ? Epicurves.expand(main, null) : null;
    });
  };

  Compare.prototype.state = function () {
    var options = this.options;
    return {
      regions: this.picker.chosen.join(","),
      metric: valueOf(options.metric, FIRST_METRIC),
      per: valueOf(options.per, "per100k"),
      scale: valueOf(options.scale, "linear"),
      window: valueOf(options.window, ALL),
    };
  };

  /* Sets the controls from the URL (or the defaults). */
  Compare.prototype.restore = function () {
    var options = this.options;
    var wanted = window.Epicurves.readState();
    var regions = wanted.regions !== undefined ? wanted.regions.split(",").filter(Boolean) : this.config.default;
    this.picker.set(regions);
    /* unknown or repeated ids in a link are dropped: the address says what is shown */
    if (wanted.regions !== undefined && this.picker.chosen.join(",") !== regions.join(",")) {
      window.Epicurves.writeState(this.state());
    }
    [["metric", FIRST_METRIC], ["per", "per100k"], ["scale", "linear"], ["window", ALL]].forEach(function (pair) {
      var select = byId(options[pair[0]]);
      if (!select) return;
      select.value = wanted[pair[0]] || pair[1];
      if (!select.value) select.value = pair[1];
    });
  };

  Compare.prototype.changed = function () {
    window.Epicurves.writeState(this.state());
    return this.draw();
  };

  Compare.prototype.draw = function () {
    var self = this;
    var state = this.state();
    var metric = state.metric;
    var per = state.per;
    var log = state.scale === "log";
    var days = spec.windows[state.window] || null;
    var chosen = this.picker.chosen.map(function (id) {
      var r = self.picker.byId[id];
      return { id: id, name: r[1] };
    });
    var shown = chosen.slice(0, MAX_LINES);
    var ticket = ++this.drawn;
    return Promise.all(
      shown.map(function (region) {
        return self.load(region.id, metric);
      })
    ).then(function (payloads) {
      if (ticket !== self.drawn) return null; /* a newer choice is being drawn */
      var lines = [];
      var missing = [];
      var noPopulation = [];
      payloads.forEach(function (payload, i) {
        var values = payload ? series(payload, metric, per, log) : null;
        if (!payload) {
          missing.push(shown[i].name);
        } else if (values === null) {
          noPopulation.push(shown[i].name);
        } else {
          lines.push({ name: shown[i].name, x: timestamps(payload.dates), y: values, last: payload.dates[payload.dates.length - 1], value: lastValue(values) });
        }
      });
      var notes = [];
      if (chosen.length > MAX_LINES) notes.push("Showing the first " + MAX_LINES + " of " + chosen.length + " regions.");
      if (missing.length) notes.push("Could not load the data of " + missing.join(", ") + ".");
      if (noPopulation.length) {
        notes.push("No population known for " + noPopulation.join(", ") + ", so no values in these units.");
      }
      if (!chosen.length) notes.push("Choose regions to compare.");
      var latest = lines.map(function (line) {
        return line.name + " " + (isFinite(line.value) ? line.value.toLocaleString("en", { maximumFractionDigits: 2 }) : "n/a") + " on " + line.last;
      });
      if (latest.length) notes.push(title(metric, per, false) + ", latest: " + latest.join("; ") + ".");
      self.text.textContent = notes.join(" ");
      document.body.dataset.compareLines = String(lines.length);
      return self.plot(lines, metric, per, log, days);
    });
  };

  function lastValue(values) {
    for (var i = values.length - 1; i >= 0; i--) {
      if (isFinite(values[i])) return values[i];
    }
    return NaN;
  }

  /* Smallest and largest value of the lines within [start, end]. */
  function extent(lines, start, end, log) {
    var lo = Infinity;
    var hi = -Infinity;
    lines.forEach(function (line) {
      for (var i = 0; i < line.x.length; i++) {
        var v = line.y[i];
        if (line.x[i] >= start && line.x[i] <= end && isFinite(v) && (!log || v > 0)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    });
    return [lo, hi];
  }

  Compare.prototype.plot = function (lines, metric, per, log, days) {
    var self = this;
    var Bokeh = window.Bokeh;
    var first = Infinity;
    var last = -Infinity;
    lines.forEach(function (line) {
      if (line.x.length) {
        first = Math.min(first, line.x[0]);
        last = Math.max(last, line.x[line.x.length - 1]);
      }
    });
    if (!isFinite(first)) {
      first = Date.now() - 365 * DAY;
      last = Date.now();
    }
    var start = days ? Math.max(first, last - (days - 1) * DAY) : first;
    var end = last + Math.max(DAY / 2, 0.03 * (last - start));
    var lohi = extent(lines, start, end, log);
    var ratio = !METRICS[metric] || METRICS[metric].unit === "ratio";
    var yStart;
    var yEnd;
    if (!isFinite(lohi[0])) {
      yStart = log ? 0.1 : 0;
      yEnd = log ? 10 : 1;
    } else if (log) {
      /* at most five decades: single cases in quiet weeks would squash the curves */
      yStart = Math.max(lohi[0], lohi[1] / 1e5) / 1.5;
      yEnd = lohi[1] * 1.6;
    } else if (ratio) {
      yStart = Math.max(0, Math.min(0.75, lohi[0] - 0.1));
      yEnd = Math.min(4, Math.max(1.25, lohi[1] + 0.1));
    } else {
      yEnd = Math.max(lohi[1], 0) * 1.08 || 1;
      /* large negative corrections are clipped rather than squashing the curves */
      yStart = lohi[0] < 0 ? Math.max(lohi[0] * 1.05, -0.25 * yEnd) : 0;
    }
    var fig = Bokeh.Plotting.figure({
      title: title(metric, per, log),
      height: 420,
      sizing_mode: "stretch_width",
      x_axis_type: "datetime",
      y_axis_type: log ? "log" : "linear",
      x_range: new Bokeh.Range1d({ start: start - DAY / 2, end: end, bounds: [first - 30 * DAY, last + 30 * DAY] }),
      y_range: new Bokeh.Range1d({ start: yStart, end: yEnd }),
      tools: "xpan,box_zoom,wheel_zoom,reset,save",
      active_drag: window.matchMedia && window.matchMedia("(pointer: coarse)").matches ? null : "auto",
      toolbar_location: "above",
      background_fill_color: spec.colours.background,
    });
    fig.toolbar.logo = null;
    fig.toolbar.autohide = true;
    var logTicker = null;
    fig.yaxes.forEach(function (axis) {
      axis.formatter = new Bokeh.NumeralTickFormatter({ format: spec.shortNumber });
      if (log) {
        logTicker = new Bokeh.FixedTicker({ ticks: [], minor_ticks: [] });
        axis.ticker = logTicker;
      }
    });
    if (logTicker) window.Epicurves.followLogTicks(fig, logTicker);
    var renderers = [];
    lines.forEach(function (line, i) {
      var source = new Bokeh.ColumnDataSource({
        data: { x: line.x, y: line.y, name: new Array(line.x.length).fill(line.name) },
      });
      renderers.push(
        fig.line({ field: "x" }, { field: "y" }, {
          source: source,
          line_color: COLOURS[i % COLOURS.length],
          line_width: 2.2,
          legend_label: line.name,
        })
      );
    });
    if (ratio) {
      fig.add_layout(new Bokeh.Span({ location: 1, dimension: "width", line_color: spec.colours.one, line_width: 1 }));
    }
    fig.add_tools(
      new Bokeh.HoverTool({
        renderers: renderers,
        tooltips: [["", "@name"], ["date", spec.dateFormat], ["value", "@y{0,0.00}"]],
        formatters: { "@x": "datetime" },
      })
    );
    if (fig.legend && lines.length) {
      fig.legend.location = "top_left";
      fig.legend.click_policy = "hide";
      fig.legend.background_fill_alpha = 0.7;
      fig.legend.label_text_font_size = "11px";
    }
    if (this.view) {
      this.view.remove();
      this.view = null;
    }
    this.chart.replaceChildren();
    return Bokeh.Plotting.show(fig, this.chart).then(function (view) {
      self.view = view;
      return view;
    });
  };

  function render(options) {
    if (!window.Bokeh || !window.Bokeh.Plotting || !window.Epicurves) {
      return Promise.reject(new Error("epicurves: load bokeh.min.js, bokeh-api.min.js and site.js first"));
    }
    var config = JSON.parse(byId(options.config).textContent);
    var compare = new Compare(options, config);
    compare.restore();
    [options.metric, options.scale, options.per, options.window].forEach(function (id) {
      var element = byId(id);
      if (element) {
        element.addEventListener("change", function () {
          compare.changed();
        });
      }
    });
    window.addEventListener("hashchange", function () {
      compare.restore();
      compare.draw();
    });
    window.Epicurves.copyLink(byId("copy-link"), byId("copy-status"));
    return compare.draw().then(function () {
      window.requestAnimationFrame(function () {
        window.requestAnimationFrame(function () {
          document.body.dataset.compareReady = "1";
        });
      });
      return compare;
    });
  }

  function start() {
    if (!byId("compare-config")) return;
    render({
      target: "compare",
      text: "compare-text",
      config: "compare-config",
      metric: "cmp-metric",
      per: "cmp-per",
      scale: "cmp-scale",
      window: "cmp-window",
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.EpicurvesCompare = { render: render, start: start };
})();
