/* epicurves chart data: what the region page's charts draw, prepared without the page (no DOM,
 * no Bokeh): the named sources' data, the panels shown, their titles and ranges, the comparison
 * lines, level colours, log-axis ticks (signaldata.js does the same for the surveillance charts).
 * epicurves.charts.views computes the same in Python, by the same floating-point steps; the tests
 * run this file under node and compare. Every name, colour and list comes from the charts' spec
 * (self.EPICURVES_SPEC, epicurves.charts.spec), the fans from fans.js. In the browser it sets
 * self.EpicurvesChartData; under node, require() gives make(spec, fans). No build step. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.EpicurvesChartData = factory(root.EPICURVES_SPEC, root.EpicurvesFans);
  }
})(typeof self !== "undefined" ? self : this, function make(spec, fans) {
  "use strict";

  var DAY = spec.day;
  var COMPARE_LINES = spec.compareLines;
  var NAMES = spec.names;

  function hex(channel) {
    var text = Math.round(channel).toString(16);
    return text.length < 2 ? "0" + text : text;
  }

  function rgb(colour) {
    return [1, 3, 5].map(function (i) {
      return parseInt(colour.slice(i, i + 2), 16);
    });
  }

  var LEVELS = spec.levels.map(function (pair) {
    return [pair[0], rgb(pair[1])];
  });

  /* The colour of an incidence level, interpolated between the spec's levels. */
  function levelColour(value) {
    if (!isFinite(value)) {
      return spec.neutral;
    }
    var out = LEVELS[LEVELS.length - 1][1];
    if (value <= LEVELS[0][0]) {
      out = LEVELS[0][1];
    } else {
      for (var i = 1; i < LEVELS.length; i++) {
        if (value < LEVELS[i][0]) {
          var a = LEVELS[i - 1];
          var b = LEVELS[i];
          var t = (value - a[0]) / (b[0] - a[0]);
          out = [0, 1, 2].map(function (k) {
            return a[1][k] + t * (b[1][k] - a[1][k]);
          });
          break;
        }
      }
    }
    return "#" + hex(out[0]) + hex(out[1]) + hex(out[2]);
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

  /* The incidence chart's last-value label: no decimal from 100 on, else one. */
  function formatNumber(value) {
    if (!isFinite(value)) {
      return "";
    }
    var digits = Math.abs(value) >= 100 ? 0 : 1;
    return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  /* Log-axis ticks at 1-2-5 steps, denser or sparser with the decades in view (Bokeh's
   * LogTicker gives crowded linear ticks below two decades and bare powers of ten above). */
  function logTicks(start, end) {
    var a = Math.max(Math.min(start, end), 1e-12);
    var b = Math.max(start, end);
    var decades = Math.log10(b / a);
    var steps =
      decades < 0.5 ? [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8] : decades < 1.3 ? [1, 2, 3, 5, 7] : decades < 3.5 ? [1, 2, 5] : [1];
    var out = [];
    for (var e = Math.floor(Math.log10(a)); e <= Math.ceil(Math.log10(b)); e++) {
      if (decades > 7 && e % 2) continue;
      for (var i = 0; i < steps.length; i++) {
        var t = Number((steps[i] * Math.pow(10, e)).toPrecision(3));
        if (t >= a && t <= b) out.push(t);
      }
    }
    return out;
  }

  /* A range as the page sets it, or null where it would be left as it was. */
  function validRange(start, end) {
    return isFinite(start) && isFinite(end) && end > start ? [start, end] : null;
  }

  function logRange(lohi) {
    if (isFinite(lohi[0])) {
      /* at most five decades: single cases in quiet weeks would squash the curves */
      return validRange(Math.max(lohi[0], lohi[1] / 1e5) / 1.5, lohi[1] * 1.6);
    }
    return validRange(0.1, 10);
  }

  function linearRange(lohi, headroom) {
    var lo = lohi[0];
    var hi = lohi[1];
    if (!isFinite(lo)) {
      return validRange(0, 1);
    }
    hi = Math.max(hi, 0) * headroom || 1;
    /* large negative corrections are clipped rather than squashing the curve */
    lo = lo < 0 ? Math.max(lo * 1.05, -0.25 * hi) : 0;
    return validRange(lo, hi);
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

  function sortedValues(x, columns, start, end) {
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

  /* Region data in plotting units, prepared once per payload (Epicurves.expand's). */
  function prepare(payload, forecast) {
    var n = payload.dates.length;
    var flags = new Array(n).fill("");
    (payload.flags || []).forEach(function (pair) {
      if (pair[0] >= 0 && pair[0] < n) {
        flags[pair[0]] = String(pair[1]).split(";").join(", ");
      }
    });
    var cases7 = toFloats(payload[spec.daily.cases.mean], 7);
    for (var i = 0; i < n; i++) {
      cases7[i] = Math.round(cases7[i]);
    }
    return {
      n: n,
      x: timestamps(payload.dates),
      population: payload.population > 0 ? payload.population : null,
      provisional: Math.max(0, Math.min(n, payload.provisional_days | 0)),
      flags: flags,
      incidence: toFloats(payload[spec.incidence]),
      cases7: cases7,
      fans: (forecast && forecast.fans) || {},
      get: function (key, scale) {
        return toFloats(payload[key], scale);
      },
    };
  }

  /* The data of the named sources, for one region and the chosen units and scale. */
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
        data.inc_last = { x: [x[j]], y: [shown[j]], c: [levelColour(incidence[j])], text: [formatNumber(shown[j])] };
        break;
      }
    }
    Object.keys(spec.daily).forEach(function (name) {
      var series = spec.daily[name];
      data[name] = {
        x: x,
        y: forScale(region.get(series.daily, factor), log),
        n: region.get(series.daily),
        p: region.get(series.daily, toPer),
        m: region.get(series.mean, factor),
        flag: region.flags,
      };
      var mean = forScale(region.get(series.centred, factor), log);
      var cut = Math.max(0, split - 1);
      data[name + "_avg"] = { x: slice(x, 0, split), y: slice(mean, 0, split) };
      data[name + "_avg_prov"] = { x: slice(x, cut, n), y: slice(mean, cut, n) };
      data["fc_" + name] = fans.fanSource(region.fans[fans.fanTarget(name, "")], true, factor, log);
    });
    Object.keys(spec.metricSources).forEach(function (name) {
      var columns = spec.metricSources[name];
      data[name] = { x: x };
      Object.keys(columns).forEach(function (column) {
        data[name][column] = region.get(columns[column]);
      });
    });
    return data;
  }

  function some(columns) {
    return columns.some(function (values) {
      return Array.prototype.some.call(values, isFinite);
    });
  }

  /* Which figures show: one of each linear/log twin; panels without any data (deaths of a
   * source that has none) hidden. */
  function panels(data, state) {
    var log = state.scale === "log";
    var has = { inc: true, cases: true, deaths: some([data.deaths.n]) };
    var out = {};
    Object.keys(has).forEach(function (name) {
      out[NAMES.figure + name + "_lin"] = has[name] && !log;
      out[NAMES.figure + name + NAMES.log] = has[name] && log;
    });
    out.fig_r_cases = true;
    out.fig_r_deaths = some([data.r_deaths.r_rki, data.r_deaths.gf]);
    out.fig_doubling = some([data.doubling.cases, data.doubling.deaths]);
    out.fig_compare = true;
    return out;
  }

  /* The titles of the panels whose units change, both twins. */
  function titles(state) {
    var per = state.per === "per100k";
    var suffix = state.scale === "log" ? spec.logSuffix : "";
    var out = {};
    Object.keys(spec.panelTitles).forEach(function (name) {
      var text = spec.panelTitles[name][per ? 0 : 1];
      out[NAMES.figure + name + "_lin"] = text;
      /* the suffix while the log twin is the one shown, as the page always did */
      out[NAMES.figure + name + NAMES.log] = text + suffix;
    });
    return out;
  }

  /* The comparison chart: line i of lines ({name, payload}) drawn where its region has a
   * population; the sources' data and each line's label (null: not drawn). */
  function compare(lines) {
    var data = {};
    var labels = [];
    for (var i = 0; i < COMPARE_LINES; i++) {
      var line = lines[i];
      if (line && line.payload.population > 0) {
        var y = forScale(toFloats(line.payload[spec.incidence]), true);
        data[NAMES.compareSource + i] = { x: timestamps(line.payload.dates), y: y, name: new Array(y.length).fill(line.name) };
        labels.push(line.name);
      } else {
        data[NAMES.compareSource + i] = { x: [], y: [], name: [] };
        labels.push(null);
      }
    }
    return { data: data, labels: labels };
  }

  /* The ranges the page sets (by model name; those left as they were are absent), and the
   * bounds of the shared x range: the time window, y fitted to the data in view. */
  function ranges(region, data, state) {
    var x = region.x;
    var out = {};
    if (region.n === 0) {
      return { ranges: out, bounds: null };
    }
    var last = x[region.n - 1];
    var days = spec.windows[state.window];
    var start = days ? Math.max(x[0], last - (days - 1) * DAY) : x[0];
    var ahead = Object.keys(spec.daily).reduce(function (most, name) {
      return Math.max.apply(null, [most].concat(data["fc_" + name].x)); /* a forecast: in view */
    }, last);
    var end = ahead + Math.max(DAY / 2, 0.03 * (ahead - start));
    start -= DAY / 2;
    var log = state.scale === "log";
    var twin = log ? NAMES.log : "_lin";
    out[NAMES.x] = validRange(start, end);
    var inc = extent(x, [data.inc.y], start, end, log);
    out[NAMES.yRange + "inc" + twin] = log ? logRange(inc) : linearRange([0, inc[1]], 1.12);
    Object.keys(spec.daily).forEach(function (name) {
      var bars = extent(x, [data[name].y], start, end, log);
      var mean = extent(x, [data[name].m], start, end, log);
      var fan = data["fc_" + name];
      var band = extent(fan.x, [fan.lo95, fan.hi95], start, end, log);
      var lohi = [Math.min(bars[0], mean[0], band[0]), Math.max(bars[1], mean[1], band[1])];
      out[NAMES.yRange + name + twin] = log ? logRange(lohi) : linearRange(lohi, 1.05);
    });
    /* R from cases and from deaths: near 1, within 0 ... 5 */
    var r = function (lohi) {
      var lo = isFinite(lohi[0]) ? lohi[0] : 1;
      var hi = isFinite(lohi[1]) ? lohi[1] : 1;
      return validRange(Math.max(0, Math.min(0.75, lo - 0.1)), Math.min(5, Math.max(1.25, hi + 0.1)));
    };
    out.y_r_cases = r(extent(x, [data.r_cases.r_rki, data.r_cases.r_cori], start, end, false));
    out.y_r_deaths = r(extent(x, [data.r_deaths.r_rki], start, end, false));
    var doubling = sortedValues(x, [data.doubling.cases, data.doubling.deaths], start, end);
    var top = doubling.length ? doubling[doubling.length - 1] : 10;
    if (doubling.length > 4) {
      top = Math.min(top, 1.5 * doubling[Math.floor(0.9 * (doubling.length - 1))]);
    }
    out.y_doubling = validRange(0, top * 1.05);
    var lo = Infinity;
    var hi = -Infinity;
    for (var i = 0; i < COMPARE_LINES; i++) {
      var d = data[NAMES.compareSource + i];
      if (d && d.x && d.x.length) {
        var e = extent(d.x, [d.y], start, end, true);
        lo = Math.min(lo, e[0]);
        hi = Math.max(hi, e[1]);
      }
    }
    out.y_compare = logRange([lo, hi]);
    Object.keys(out).forEach(function (key) {
      if (out[key] === null) delete out[key];
    });
    return { ranges: out, bounds: [x[0] - 30 * DAY, ahead + 30 * DAY] };
  }

  return {
    spec: spec,
    levelColour: levelColour,
    formatNumber: formatNumber,
    logTicks: logTicks,
    toFloats: toFloats,
    timestamps: timestamps,
    prepare: prepare,
    sourceData: sourceData,
    fanSource: fans.fanSource,
    panels: panels,
    titles: titles,
    compare: compare,
    ranges: ranges,
    validRange: validRange,
  };
});
