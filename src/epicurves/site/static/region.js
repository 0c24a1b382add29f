/* epicurves region page: embeds the shared charts (window.EPICURVES_CHARTS, built once by
 * epicurves.plots.chart_item) and fills their named sources from one region's payload.
 * Plain ES2017, no build step; needs bokeh.min.js loaded first. */
(function () {
  "use strict";

  var DAY = 86400000;
  /* Incidence levels per 100 000 and their colours: epicurves.plots.LEVEL_COLOURS. */
  var LEVELS = [
    [0, [0x2e, 0x8b, 0x57]],
    [50, [0x9a, 0x73, 0x00]],
    [100, [0xd6, 0x27, 0x28]],
    [200, [0x80, 0x00, 0x00]],
  ];
  var NEUTRAL = "#1f77b4";
  /* Must match epicurves.plots: tests/test_plots.py checks these names against the charts,
   * as well as every model("...") below. COMPARE_LINES sources are named cmp_0, cmp_1, ... */
  var COMPARE_LINES = 8;
  var REGION_SOURCES = [
    "inc", "inc_seg", "inc_seg_prov", "inc_last",
    "cases", "cases_avg", "cases_avg_prov",
    "deaths", "deaths_avg", "deaths_avg_prov",
    "r_cases", "r_deaths", "doubling",
  ];
  var WINDOWS = { all: null, "365": 365, "84": 84 };

  function hex(channel) {
    var text = Math.round(channel).toString(16);
    return text.length < 2 ? "0" + text : text;
  }

  /* The colour of an incidence level, interpolated between LEVELS. */
  function levelColour(value) {
    if (!isFinite(value)) {
      return NEUTRAL;
    }
    var rgb = LEVELS[LEVELS.length - 1][1];
    if (value <= LEVELS[0][0]) {
      rgb = LEVELS[0][1];
    } else {
      for (var i = 1; i < LEVELS.length; i++) {
        if (value < LEVELS[i][0]) {
          var a = LEVELS[i - 1];
          var b = LEVELS[i];
          var t = (value - a[0]) / (b[0] - a[0]);
          rgb = [0, 1, 2].map(function (k) {
            return a[1][k] + t * (b[1][k] - a[1][k]);
          });
          break;
        }
      }
    }
    return "#" + hex(rgb[0]) + hex(rgb[1]) + hex(rgb[2]);
  }

  function toFloats(values, scale) {
    var out = new Float64Array(values ? values.length : 0);
    for (var i = 0; i < out.length; i++) {
      var v = values[i];
      out[i] = v === null || v === undefined ? NaN : v * (scale === undefined ? 1 : scale);
    }
    return out;
  }

  function timestamps(dates) {
    var out = new Float64Array(dates.length);
    for (var i = 0; i < dates.length; i++) {
      out[i] = Date.parse(dates[i] + "T00:00:00Z");
    }
    return out;
  }

  /* Values a log axis cannot show become NaN (gaps), on a copy. */
  function forScale(values, log) {
    if (!log) {
      return values;
    }
    var out = new Float64Array(values.length);
    for (var i = 0; i < values.length; i++) {
      out[i] = values[i] > 0 ? values[i] : NaN;
    }
    return out;
  }

  function slice(values, begin, end) {
    return Array.prototype.slice.call(values, begin, end);
  }

  function formatNumber(value) {
    if (!isFinite(value)) {
      return "";
    }
    var digits = Math.abs(value) >= 100 ? 0 : 1;
    return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  /* Region data in plotting units, prepared once per payload. */
  function prepare(payload) {
    var n = payload.dates.length;
    var flags = new Array(n).fill("");
    (payload.flags || []).forEach(function (pair) {
      if (pair[0] >= 0 && pair[0] < n) {
        flags[pair[0]] = String(pair[1]).split(";").join(", ");
      }
    });
    var cases7 = toFloats(payload.new_cases_7d_mean, 7);
    for (var i = 0; i < n; i++) {
      cases7[i] = Math.round(cases7[i]);
    }
    return {
      n: n,
      x: timestamps(payload.dates),
      population: payload.population > 0 ? payload.population : null,
      provisional: Math.max(0, Math.min(n, payload.provisional_days | 0)),
      flags: flags,
      incidence: toFloats(payload.incidence_7d),
      cases7: cases7,
      get: function (key, scale) {
        return toFloats(payload[key], scale);
      },
    };
  }

  /* Data of the sources, for one region and the chosen units and scale. */
  function sourceData(region, state) {
    var n = region.n;
    var x = region.x;
    var log = state.scale === "log";
    var per = state.per === "per100k" && region.population !== null;
    var factor = per ? 1e5 / region.population : 1;
    var toPer = region.population !== null ? 1e5 / region.population : NaN;
    var split = n - region.provisional; /* first provisional day */
    var data = {};

    var incidence = region.incidence;
    var shown = forScale(per ? incidence : region.cases7, log);
    data.inc = { x: x, y: shown, inc: incidence, s7: region.cases7 };
    var solid = { x0: [], y0: [], x1: [], y1: [], c: [] };
    var tail = { x0: [], y0: [], x1: [], y1: [], c: [] };
    for (var i = 1; i < n; i++) {
      if (isFinite(shown[i - 1]) && isFinite(shown[i])) {
        var target = i >= split ? tail : solid;
        target.x0.push(x[i - 1]);
        target.y0.push(shown[i - 1]);
        target.x1.push(x[i]);
        target.y1.push(shown[i]);
        target.c.push(levelColour((incidence[i - 1] + incidence[i]) / 2));
      }
    }
    data.inc_seg = solid;
    data.inc_seg_prov = tail;
    data.inc_last = { x: [], y: [], c: [], text: [] };
    for (var j = n - 1; j >= 0; j--) {
      if (isFinite(shown[j])) {
        data.inc_last = {
          x: [x[j]],
          y: [shown[j]],
          c: [levelColour(incidence[j])],
          text: [formatNumber(shown[j])],
        };
        break;
      }
    }

    [["cases", "new_cases"], ["deaths", "new_deaths"]].forEach(function (pair) {
      var name = pair[0];
      var key = pair[1];
      var counts = region.get(key);
      var mean = region.get(key + "_7d_mean_centred", factor);
      data[name] = {
        x: x,
        y: forScale(region.get(key, factor), log),
        n: counts,
        p: region.get(key, toPer),
        m: region.get(key + "_7d_mean", factor),
        flag: region.flags,
      };
      mean = forScale(mean, log);
      var cut = Math.max(0, split - 1);
      data[name + "_avg"] = { x: slice(x, 0, split), y: slice(mean, 0, split) };
      data[name + "_avg_prov"] = { x: slice(x, cut, n), y: slice(mean, cut, n) };
    });

    data.r_cases = {
      x: x,
      r_rki: region.get("r_rki"),
      r_cori: region.get("r_cori"),
      lo: region.get("r_cori_lo"),
      hi: region.get("r_cori_hi"),
      gf: region.get("growth_factor_7d"),
    };
    data.r_deaths = {
      x: x,
      r_rki: region.get("deaths_r_rki"),
      gf: region.get("deaths_growth_factor_7d"),
    };
    data.doubling = {
      x: x,
      cases: region.get("doubling_time_days"),
      deaths: region.get("deaths_doubling_time_days"),
    };
    return data;
  }

  /* Smallest and largest finite value of some columns for x in [start, end]. */
  function extent(x, columns, start, end, positiveOnly) {
    var lo = Infinity;
    var hi = -Infinity;
    for (var i = 0; i < x.length; i++) {
      if (x[i] < start || x[i] > end) {
        continue;
      }
      for (var c = 0; c < columns.length; c++) {
        var v = columns[c][i];
        if (isFinite(v) && (!positiveOnly || v > 0)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
    return [lo, hi];
  }

  function values(x, columns, start, end) {
    var out = [];
    for (var i = 0; i < x.length; i++) {
      if (x[i] >= start && x[i] <= end) {
        for (var c = 0; c < columns.length; c++) {
          if (isFinite(columns[c][i])) out.push(columns[c][i]);
        }
      }
    }
    return out.sort(function (a, b) {
      return a - b;
    });
  }

  function setRange(range, start, end) {
    if (!isFinite(start) || !isFinite(end) || !(end > start)) {
      return;
    }
    range.setv({ start: start, end: end, reset_start: start, reset_end: end });
  }

  function logRange(range, lohi) {
    if (isFinite(lohi[0])) {
      /* at most five decades: single cases in quiet weeks would squash the curves */
      setRange(range, Math.max(lohi[0], lohi[1] / 1e5) / 1.5, lohi[1] * 1.6);
    } else {
      setRange(range, 0.1, 10);
    }
  }

  function linearRange(range, lohi, headroom) {
    var lo = lohi[0];
    var hi = lohi[1];
    if (!isFinite(lo)) {
      setRange(range, 0, 1);
      return;
    }
    hi = Math.max(hi, 0) * headroom || 1;
    /* large negative corrections are clipped rather than squashing the curve */
    lo = lo < 0 ? Math.max(lo * 1.05, -0.25 * hi) : 0;
    setRange(range, lo, hi);
  }

  function Charts(doc, payload) {
    this.doc = doc;
    this.payload = payload;
    this.region = prepare(payload);
    this.state = { scale: "linear", per: this.region.population !== null ? "per100k" : "count", window: "365" };
    this.peers = [];
  }

  Charts.prototype.model = function (name) {
    var model = this.doc.get_model_by_name(name);
    if (model === null) {
      throw new Error("epicurves: the charts have no model named " + name);
    }
    return model;
  };

  Charts.prototype.figures = function () {
    var self = this;
    return {
      inc_lin: self.model("fig_inc_lin"),
      inc_log: self.model("fig_inc_log"),
      cases_lin: self.model("fig_cases_lin"),
      cases_log: self.model("fig_cases_log"),
      deaths_lin: self.model("fig_deaths_lin"),
      deaths_log: self.model("fig_deaths_log"),
      r_cases: self.model("fig_r_cases"),
      r_deaths: self.model("fig_r_deaths"),
      doubling: self.model("fig_doubling"),
      compare: self.model("fig_compare"),
    };
  };

  /* Sets every source from the payload and the current units and scale. */
  Charts.prototype.fill = function () {
    var data = sourceData(this.region, this.state);
    for (var i = 0; i < REGION_SOURCES.length; i++) {
      this.model(REGION_SOURCES[i]).data = data[REGION_SOURCES[i]];
    }
    this.data = data;
    var figs = this.figures();
    var log = this.state.scale === "log";
    var per = this.state.per === "per100k";
    /* panels without any data (deaths of a source that has none) are hidden */
    var some = function (columns) {
      return columns.some(function (values) {
        return Array.prototype.some.call(values, isFinite);
      });
    };
    var has = {
      inc: true,
      cases: true,
      deaths: some([data.deaths.n]),
    };
    ["inc", "cases", "deaths"].forEach(function (name) {
      figs[name + "_lin"].visible = has[name] && !log;
      figs[name + "_log"].visible = has[name] && log;
    });
    /* the panels below the first screen are drawn once the first ones are on screen */
    figs.r_cases.visible = this.revealed === true;
    figs.compare.visible = this.revealed === true;
    figs.r_deaths.visible = this.revealed === true && some([data.r_deaths.r_rki, data.r_deaths.gf]);
    figs.doubling.visible = this.revealed === true && some([data.doubling.cases, data.doubling.deaths]);
    var titles = {
      inc: per ? "7-day incidence per 100 000" : "Cases in the last 7 days",
      cases: per ? "Daily new cases per 100 000" : "Daily new cases",
      deaths: per ? "Daily new deaths per 100 000" : "Daily new deaths",
    };
    Object.keys(titles).forEach(function (name) {
      var suffix = log ? " (log scale)" : "";
      figs[name + "_lin"].title.text = titles[name];
      figs[name + "_log"].title.text = titles[name] + suffix;
    });
    this.fillCompare();
    this.rescale();
  };

  /* The comparison chart: this region (line 0) and the peers that loaded. */
  Charts.prototype.fillCompare = function () {
    var lines = [{ name: this.payload.name || this.payload.region_id, payload: this.payload }].concat(this.peers);
    var legend = this.model("cmp_legend");
    if (!this.legendItems) {
      this.legendItems = legend.items.slice();
    }
    var items = [];
    for (var i = 0; i < COMPARE_LINES; i++) {
      var source = this.model("cmp_" + i);
      var line = lines[i];
      var item = this.legendItems[i];
      if (line && line.payload.population > 0) {
        var y = forScale(toFloats(line.payload.incidence_7d), true);
        source.data = { x: timestamps(line.payload.dates), y: y, name: new Array(y.length).fill(line.name) };
        item.label = { value: line.name };
        items.push(item);
        item.renderers.forEach(function (renderer) {
          renderer.visible = true;
        });
      } else {
        source.data = { x: [], y: [], name: [] };
        item.renderers.forEach(function (renderer) {
          renderer.visible = false;
        });
      }
    }
    legend.items = items;
  };

  /* Shared x range from the time window; y ranges fitted to the data in view. */
  Charts.prototype.rescale = function () {
    var region = this.region;
    var x = region.x;
    if (region.n === 0) {
      return;
    }
    var last = x[region.n - 1];
    var days = WINDOWS[this.state.window];
    var start = days ? Math.max(x[0], last - (days - 1) * DAY) : x[0];
    var end = last + Math.max(DAY / 2, 0.03 * (last - start));
    start -= DAY / 2;
    var xRange = this.model("x");
    xRange.setv({ bounds: [x[0] - 30 * DAY, last + 30 * DAY] });
    setRange(xRange, start, end);

    var data = this.data;
    var figs = this.figures();
    var log = this.state.scale === "log";
    var incFig = log ? figs.inc_log : figs.inc_lin;
    var inc = extent(x, [data.inc.y], start, end, log);
    if (log) logRange(incFig.y_range, inc);
    else linearRange(incFig.y_range, [0, inc[1]], 1.12);

    ["cases", "deaths"].forEach(function (name) {
      var fig = log ? figs[name + "_log"] : figs[name + "_lin"];
      var bars = extent(x, [data[name].y], start, end, log);
      var mean = extent(x, [data[name].m], start, end, log);
      var lohi = [Math.min(bars[0], mean[0]), Math.max(bars[1], mean[1])];
      if (log) logRange(fig.y_range, lohi);
      else linearRange(fig.y_range, lohi, 1.05);
    });

    var rCases = extent(x, [data.r_cases.r_rki, data.r_cases.r_cori], start, end, false);
    var rDeaths = extent(x, [data.r_deaths.r_rki], start, end, false);
    [[figs.r_cases, rCases], [figs.r_deaths, rDeaths]].forEach(function (pair) {
      var lo = isFinite(pair[1][0]) ? pair[1][0] : 1;
      var hi = isFinite(pair[1][1]) ? pair[1][1] : 1;
      setRange(pair[0].y_range, Math.max(0, Math.min(0.75, lo - 0.1)), Math.min(5, Math.max(1.25, hi + 0.1)));
    });

    var doubling = values(x, [data.doubling.cases, data.doubling.deaths], start, end);
    var top = doubling.length ? doubling[doubling.length - 1] : 10;
    if (doubling.length > 4) {
      top = Math.min(top, 1.5 * doubling[Math.floor(0.9 * (doubling.length - 1))]);
    }
    setRange(figs.doubling.y_range, 0, top * 1.05);

    var lo = Infinity;
    var hi = -Infinity;
    for (var i = 0; i < COMPARE_LINES; i++) {
      var d = this.model("cmp_" + i).data;
      if (d.x && d.x.length) {
        var e = extent(d.x, [d.y], start, end, true);
        lo = Math.min(lo, e[0]);
        hi = Math.max(hi, e[1]);
      }
    }
    logRange(figs.compare.y_range, [lo, hi]);
  };

  /* Peer lines: each peer's small incidence file (data/<id>.inc.js), not its full data. */
  Charts.prototype.loadPeers = function (base, peers) {
    var self = this;
    var wanted = (peers || []).slice(0, COMPARE_LINES - 1);
    return Promise.all(
      wanted.map(function (peer) {
        return window.Epicurves.load(base, peer.region_id + ".inc").then(function (data) {
          return data ? { name: peer.name || peer.region_id, payload: window.Epicurves.expand(null, data) } : null;
        });
      })
    ).then(function (loaded) {
      self.peers = loaded.filter(function (peer) {
        return peer !== null;
      });
      if (self.peers.length) {
        self.fillCompare();
        self.rescale();
      }
      return self.peers;
    });
  };

  /* Whether a <select> offers value (and it is not disabled). */
  function usable(select, value) {
    return Array.prototype.some.call(select.options, function (option) {
      return option.value === value && !option.disabled;
    });
  }

  /* Wires a <select>: the URL's value (or the default) sets the state, changes redraw and go
   * into the URL, so that a link gives the same view. */
  Charts.prototype.control = function (id, key, fallback, allowed, wanted) {
    var self = this;
    var select = id ? document.getElementById(id) : null;
    if (!select) {
      self.state[key] = fallback;
      return;
    }
    Array.prototype.forEach.call(select.options, function (option) {
      if (allowed && allowed.indexOf(option.value) < 0) {
        option.disabled = true;
      }
    });
    select.value = wanted !== undefined && usable(select, wanted) ? wanted : fallback;
    self.state[key] = select.value || fallback;
    select.addEventListener("change", function () {
      self.state[key] = select.value;
      // the surveillance charts keep their own options in the same address
      window.Epicurves.writeState(Object.assign(window.Epicurves.readState(), self.state));
      if (key === "window") {
        self.rescale();
      } else {
        self.fill();
      }
    });
  };

  /* Each log axis's ticks follow its range (site.js: followLogTicks). */
  Charts.prototype.logTicks = function () {
    var doc = this.doc;
    ["fig_inc_log", "fig_cases_log", "fig_deaths_log", "fig_compare"].forEach(function (name) {
      var ticker = doc.get_model_by_name("ticks_" + name);
      if (ticker) window.Epicurves.followLogTicks(doc.get_model_by_name(name), ticker);
    });
  };

  /* On touch screens a drag scrolls the page; the pan tool is one tap away. */
  Charts.prototype.touchFriendly = function () {
    if (!window.matchMedia || !window.matchMedia("(pointer: coarse)").matches) {
      return;
    }
    var figs = this.figures();
    Object.keys(figs).forEach(function (name) {
      figs[name].toolbar.active_drag = null;
    });
  };

  function documentOf(views) {
    var roots = views && views.roots ? Array.from(views.roots) : views ? Array.from(views) : [];
    if (roots.length && roots[0].model && roots[0].model.document) {
      return roots[0].model.document;
    }
    return window.Bokeh.documents[window.Bokeh.documents.length - 1];
  }

  function afterPaint(callback) {
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(callback);
    });
  }

  function render(options) {
    var item = window.EPICURVES_CHARTS;
    var registry = self.EPICURVES_DATA || {};
    var main = registry[options.region];
    var inc = registry[options.region + ".inc"] || null;
    var target = options.target || "charts";
    if (!window.Bokeh || !window.Epicurves || !item || !main) {
      return Promise.reject(new Error("epicurves: Bokeh, the charts or the region's data are missing"));
    }
    var payload = window.Epicurves.expand(main, inc);
    var controls = options.controls || {};
    var wanted = window.Epicurves.readState();
    downloads(payload);
    return window.Bokeh.embed.embed_item(item, target).then(function (views) {
      var charts = new Charts(documentOf(views), payload);
      var hasPopulation = charts.region.population !== null;
      charts.control(controls.scale, "scale", "linear", ["linear", "log"], wanted.scale);
      charts.control(controls.per, "per", hasPopulation ? "per100k" : "count", hasPopulation ? null : ["count"], wanted.per);
      charts.control(controls.window, "window", "365", Object.keys(WINDOWS), wanted.window);
      window.addEventListener("hashchange", function () {
        var now = window.Epicurves.readState();
        var changed = false;
        [["scale", controls.scale], ["per", controls.per], ["window", controls.window]].forEach(function (pair) {
          var select = document.getElementById(pair[1]);
          var value = now[pair[0]];
          if (select && value && value !== charts.state[pair[0]] && usable(select, value)) {
            select.value = value;
            charts.state[pair[0]] = value;
            changed = true;
          }
        });
        if (changed) charts.fill();
      });
      charts.touchFriendly();
      charts.logTicks();
      charts.fill();
      afterPaint(function () {
        /* the first charts are on screen: record when, then draw the panels below */
        document.body.dataset.chartsReadyMs = String(Math.round(window.performance.now()));
        document.body.dataset.chartsReady = "1";
        window.setTimeout(function () {
          charts.revealed = true;
          charts.fill();
          afterPaint(function () {
            document.body.dataset.allChartsReady = "1";
          });
        }, 0);
      });
      charts.loadPeers(options.data, options.peers).then(function () {
        document.body.dataset.peersReady = "1";
      });
      return charts;
    });
  }

  /* The CSV and JSON download buttons: the files are made from the data already loaded. */
  function downloads(payload) {
    var csvButton = document.getElementById("download-csv");
    var jsonButton = document.getElementById("download-json");
    if (csvButton) {
      csvButton.hidden = false;
      csvButton.addEventListener("click", function () {
        window.Epicurves.download(payload.region_id + ".csv", "text/csv", window.Epicurves.csv(payload));
      });
    }
    if (jsonButton) {
      jsonButton.hidden = false;
      jsonButton.addEventListener("click", function () {
        window.Epicurves.download(payload.region_id + ".json", "application/json", JSON.stringify(payload));
      });
    }
  }

  /* Starts from the page's own configuration (a JSON <script>): no inline script needed. */
  function start() {
    var config = document.getElementById("page-config");
    if (!config) return;
    var options = JSON.parse(config.textContent);
    window.Epicurves.copyLink(document.getElementById("copy-link"), document.getElementById("copy-status"));
    render({
      target: "charts",
      region: options.region,
      data: options.data,
      peers: options.peers,
      controls: { scale: "ctl-scale", per: "ctl-per", window: "ctl-window" },
    }).catch(function (error) {
      document.body.dataset.chartsError = String(error && error.message);
      throw error;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.EpicurvesRegion = { render: render, start: start };
})();
