/* epicurves compare page: overlays one metric of the regions chosen in a <select multiple>,
 * in one Bokeh figure built in the browser with BokehJS's plotting API.
 * Plain ES2017, no build step; needs bokeh.min.js and then bokeh-api.min.js loaded first. */
(function () {
  "use strict";

  var DAY = 86400000;
  var MAX_LINES = 10;
  var COLOURS = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ];
  /* Metric key -> [label, unit kind]: "count" can be shown per 100 000, "rate" is already per
   * 100 000 (and can be shown as a 7-day count), "ratio" has no unit. */
  var METRICS = {
    incidence_7d: ["7-day incidence", "rate"],
    deaths_7d_per_100k: ["Deaths in 7 days", "rate"],
    new_cases_7d_mean: ["Daily new cases, 7-day mean", "count"],
    new_deaths_7d_mean: ["Daily new deaths, 7-day mean", "count"],
    r_cori: ["R (Cori)", "ratio"],
    r_rki: ["R (RKI method)", "ratio"],
  };
  var RATE_AS_COUNT = { incidence_7d: "Cases in 7 days", deaths_7d_per_100k: "Deaths in 7 days" };
  var WINDOWS = { all: null, "365": 365, "84": 84 };
  /* The same tick rules as the region charts (epicurves.plots._LOG_TICKS, _SHORT_NUMBER). */
  var LOG_TICKS = [
    "const a = Math.max(Math.min(cb_data.start, cb_data.end), 1e-12);",
    "const b = Math.max(cb_data.start, cb_data.end);",
    "const decades = Math.log10(b / a);",
    "const steps = decades < 0.5 ? [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8]",
    "  : decades < 1.3 ? [1, 2, 3, 5, 7] : decades < 3.5 ? [1, 2, 5] : [1];",
    "const out = [];",
    "for (let e = Math.floor(Math.log10(a)); e <= Math.ceil(Math.log10(b)); e++) {",
    "  if (decades > 7 && e % 2) continue;",
    "  for (const k of steps) {",
    "    const t = Number((k * 10 ** e).toPrecision(3));",
    "    if (t >= a && t <= b) out.push(t);",
    "  }",
    "}",
    "return out;",
  ].join("\n");
  var SHORT_NUMBER = [
    "const v = Math.abs(tick);",
    "const s = (x) => String(Number(x.toPrecision(3)));",
    'if (v >= 1e9) return s(tick / 1e9) + "G";',
    'if (v >= 1e6) return s(tick / 1e6) + "M";',
    'if (v >= 1e4) return s(tick / 1e3) + "k";',
    "return s(tick);",
  ].join("\n");

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
    var kind = (METRICS[metric] || ["", "ratio"])[1];
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
    var out = new Float64Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      var v = raw[i] === null || raw[i] === undefined ? NaN : raw[i] * factor;
      out[i] = log && !(v > 0) ? NaN : v;
    }
    return out;
  }

  function title(metric, per, log) {
    var info = METRICS[metric] || [metric, "ratio"];
    var text = info[0];
    if (info[1] === "count" && per === "per100k") text += " per 100 000";
    if (info[1] === "rate") text = per === "count" ? RATE_AS_COUNT[metric] : text + " per 100 000";
    return text + (log ? " (log scale)" : "");
  }

  function Compare(options) {
    this.options = options;
    this.target = byId(options.target);
    this.payloads = {}; /* url -> Promise of payload or null */
    this.view = null;
    this.drawn = 0;
    this.note = document.createElement("p");
    this.note.className = "compare-note";
    this.chart = document.createElement("div");
    this.target.appendChild(this.note);
    this.target.appendChild(this.chart);
  }

  Compare.prototype.load = function (url) {
    if (!(url in this.payloads)) {
      this.payloads[url] =
        typeof fetch !== "function" || window.location.protocol === "file:"
          ? Promise.resolve(null) /* browsers refuse fetch() from file:// */
          : fetch(url)
              .then(function (response) {
                return response.ok ? response.json() : null;
              })
              .catch(function () {
                return null; /* fetch fails from file:// */
              });
    }
    return this.payloads[url];
  };

  Compare.prototype.chosen = function () {
    var select = byId(this.options.select);
    if (!select) return [];
    return Array.prototype.filter
      .call(select.options, function (option) {
        return option.selected && option.getAttribute("data-url");
      })
      .map(function (option) {
        return { id: option.value, name: option.textContent.trim() || option.value, url: option.getAttribute("data-url") };
      });
  };

  Compare.prototype.draw = function () {
    var self = this;
    var options = this.options;
    var metric = valueOf(options.metric, "incidence_7d");
    var per = valueOf(options.per, "per100k");
    var log = valueOf(options.scale, "linear") === "log";
    var days = WINDOWS[valueOf(options.window, "all")] || null;
    var chosen = this.chosen();
    var shown = chosen.slice(0, MAX_LINES);
    var ticket = ++this.drawn;
    return Promise.all(
      shown.map(function (region) {
        return self.load(region.url);
      })
    ).then(function (payloads) {
      if (ticket !== self.drawn) return null; /* a newer choice is being drawn */
      var lines = [];
      var missing = [];
      var noPopulation = [];
      payloads.forEach(function (payload, i) {
        var values = payload && payload.dates ? series(payload, metric, per, log) : null;
        if (!payload || !payload.dates) {
          missing.push(shown[i].name);
        } else if (values === null) {
          noPopulation.push(shown[i].name);
        } else {
          lines.push({ name: shown[i].name, x: timestamps(payload.dates), y: values });
        }
      });
      var notes = [];
      if (chosen.length > MAX_LINES) notes.push("Showing the first " + MAX_LINES + " of " + chosen.length + " regions.");
      if (missing.length) {
        notes.push(
          "Could not load the data of " + missing.join(", ") +
            (window.location.protocol === "file:"
              ? " (browsers do not load data files from file://: serve the site over http)."
              : ".")
        );
      }
      if (noPopulation.length) {
        notes.push("No population known for " + noPopulation.join(", ") + ", so no values in these units.");
      }
      if (!chosen.length) notes.push("Choose regions to compare.");
      self.note.textContent = notes.join(" ");
      self.note.hidden = notes.length === 0;
      document.body.dataset.compareLines = String(lines.length);
      return self.plot(lines, metric, per, log, days);
    });
  };

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
    var ratio = (METRICS[metric] || ["", "ratio"])[1] === "ratio";
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
      background_fill_color: "#fbfbfb",
    });
    fig.toolbar.logo = null;
    fig.toolbar.autohide = true;
    fig.yaxes.forEach(function (axis) {
      axis.formatter = new Bokeh.CustomJSTickFormatter({ code: SHORT_NUMBER });
      if (log) axis.ticker = new Bokeh.CustomJSTicker({ major_code: LOG_TICKS });
    });
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
    if (metric === "r_cori" || metric === "r_rki") {
      fig.add_layout(new Bokeh.Span({ location: 1, dimension: "width", line_color: "#555555", line_width: 1 }));
    }
    fig.add_tools(
      new Bokeh.HoverTool({
        renderers: renderers,
        tooltips: [["", "@name"], ["date", "@x{%a %d %b %Y}"], ["value", "@y{0,0.00}"]],
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
    if (!window.Bokeh || !window.Bokeh.Plotting) {
      return Promise.reject(new Error("epicurves: load bokeh.min.js and bokeh-api.min.js first"));
    }
    var compare = new Compare(options);
    [options.select, options.metric, options.scale, options.per, options.window].forEach(function (id) {
      var element = byId(id);
      if (element) {
        element.addEventListener("change", function () {
          compare.draw();
        });
      }
    });
    var scale = byId(options.scale);
    if (scale && !scale.querySelector("option[selected]")) scale.value = "linear";
    return compare.draw().then(function () {
      window.requestAnimationFrame(function () {
        window.requestAnimationFrame(function () {
          document.body.dataset.compareReady = "1";
        });
      });
      return compare;
    });
  }

  window.EpicurvesCompare = { render: render };
})();
