/* epicurves compare page: overlays one metric of the regions chosen in a searchable picker,
 * in one Bokeh figure built in the browser with BokehJS's plotting API. The view (regions,
 * metric, units, scale, window) lives in the URL (#regions=DE,FR&metric=...), so a link gives
 * it back. Data come from the regions' data scripts (site.js: Epicurves.load), which also
 * load from file://. Plain ES2017, no build step; needs bokeh.min.js, bokeh-api.min.js and
 * site.js loaded first. */
(function () {
  "use strict";

  var DAY = 86400000;
  var MAX_LINES = 10;
  var COLOURS = [
    /* every colour has a contrast of at least 3:1 with the chart's background (WCAG AA) */
    "#1f77b4", "#b85c00", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#b5338a", "#7f7f7f", "#6b6b00", "#0b7f8c",
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
  /* The same axis labels as the region charts (epicurves.plots._SHORT_NUMBER); log ticks
   * from site.js, as there: nothing is compiled in the browser (script-src 'self'). */
  var SHORT_NUMBER = "0.[0000]a";

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
    var out = new Float64Array(payload.dates ? payload.dates.length : raw.length);
    for (var i = 0; i < out.length; i++) {
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

  function fold(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  /* The searchable region picker: a combobox (type to filter, arrows, Enter) and chips. */
  function Picker(regions, onChange) {
    var self = this;
    this.regions = regions; /* [id, name, context, aliases] */
    this.byId = {};
    regions.forEach(function (r) {
      self.byId[r[0]] = r;
      r.key = fold(r[1] + " " + r[0] + " " + r[2] + " " + r[3]);
    });
    this.chosen = [];
    this.onChange = onChange;
    this.input = byId("cmp-search");
    this.list = byId("cmp-options");
    this.chips = byId("cmp-chips");
    this.status = byId("cmp-status");
    this.active = -1;
    this.matches = [];
    this.input.addEventListener("input", function () {
      self.filter();
    });
    this.input.addEventListener("focus", function () {
      if (self.input.value) self.filter();
    });
    this.input.addEventListener("keydown", function (event) {
      self.key(event);
    });
    this.input.addEventListener("blur", function () {
      window.setTimeout(function () {
        self.close();
      }, 150);
    });
  }

  Picker.prototype.label = function (r) {
    return r[1] + (r[2] ? " (" + r[2] + ")" : "");
  };

  Picker.prototype.filter = function () {
    var self = this;
    var words = fold(this.input.value).split(/\s+/).filter(Boolean);
    if (!words.length) {
      this.close();
      return;
    }
    var scored = [];
    this.regions.forEach(function (r) {
      if (self.chosen.indexOf(r[0]) >= 0) return;
      if (!words.every(function (w) { return r.key.indexOf(w) >= 0; })) return;
      var name = fold(r[1]);
      var rank = name === words.join(" ") || fold(r[0]) === words.join(" ") ? 0 : name.indexOf(words[0]) === 0 ? 1 : 2;
      scored.push([rank, r]);
    });
    scored.sort(function (a, b) {
      return a[0] - b[0] || (a[1][1] < b[1][1] ? -1 : a[1][1] > b[1][1] ? 1 : 0);
    });
    this.matches = scored.slice(0, 12).map(function (pair) {
      return pair[1];
    });
    this.active = this.matches.length ? 0 : -1;
    this.show();
  };

  Picker.prototype.show = function () {
    var self = this;
    this.list.replaceChildren();
    this.matches.forEach(function (r, i) {
      var item = document.createElement("li");
      item.id = "cmp-option-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", i === self.active ? "true" : "false");
      item.textContent = self.label(r) + " · " + r[0];
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        self.add(r[0]);
      });
      self.list.appendChild(item);
    });
    /* "no match" is said in a status line, not as an item of the listbox */
    this.status.textContent = this.matches.length ? "" : "No region matches.";
    this.list.hidden = !this.matches.length;
    this.input.setAttribute("aria-expanded", this.matches.length ? "true" : "false");
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", "cmp-option-" + this.active);
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Picker.prototype.close = function () {
    this.status.textContent = "";
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.matches = [];
    this.active = -1;
  };

  Picker.prototype.key = function (event) {
    var open = !this.list.hidden && this.matches.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) {
        this.filter();
      } else {
        var step = event.key === "ArrowDown" ? 1 : -1;
        this.active = (this.active + step + this.matches.length) % this.matches.length;
        this.show();
        var item = byId("cmp-option-" + this.active);
        if (item && item.scrollIntoView) item.scrollIntoView({ block: "nearest" });
      }
      event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (open && this.active >= 0) this.add(this.matches[this.active][0]);
    } else if (event.key === "Escape") {
      this.close();
    } else if (event.key === "Backspace" && !this.input.value && this.chosen.length) {
      this.remove(this.chosen[this.chosen.length - 1], true);
    }
  };

  Picker.prototype.set = function (ids) {
    var self = this;
    this.chosen = ids.filter(function (id, i) {
      return self.byId[id] && ids.indexOf(id) === i;
    });
    this.drawChips();
  };

  Picker.prototype.add = function (id) {
    if (this.chosen.indexOf(id) < 0) this.chosen.push(id);
    this.input.value = "";
    this.close();
    this.drawChips();
    this.input.focus();
    this.onChange();
  };

  Picker.prototype.remove = function (id, keepFocus) {
    this.chosen = this.chosen.filter(function (x) {
      return x !== id;
    });
    this.drawChips();
    this.input.focus();
    this.onChange();
  };

  Picker.prototype.drawChips = function () {
    var self = this;
    this.chips.replaceChildren();
    this.chosen.forEach(function (id) {
      var r = self.byId[id];
      var item = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = self.label(r);
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "×";
      button.setAttribute("aria-label", "Remove " + r[1]);
      button.addEventListener("click", function () {
        self.remove(id);
      });
      item.appendChild(text);
      item.appendChild(button);
      self.chips.appendChild(item);
    });
  };

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
    this.picker = new Picker(config.regions, function () {
      self.changed();
    });
  }

  /* A region's payload with what the metric needs: the small incidence file alone for
   * incidence, the main file otherwise. */
  Compare.prototype.load = function (id, metric) {
    var base = this.config.data;
    var Epicurves = window.Epicurves;
    if (metric === "incidence_7d") {
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
      metric: valueOf(options.metric, "incidence_7d"),
      per: valueOf(options.per, "per100k"),
      scale: valueOf(options.scale, "linear"),
      window: valueOf(options.window, "all"),
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
    [["metric", "incidence_7d"], ["per", "per100k"], ["scale", "linear"], ["window", "all"]].forEach(function (pair) {
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
    var days = WINDOWS[state.window] || null;
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
    var logTicker = null;
    fig.yaxes.forEach(function (axis) {
      axis.formatter = new Bokeh.NumeralTickFormatter({ format: SHORT_NUMBER });
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
