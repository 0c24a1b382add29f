/* epicurves signal data: what the region page's surveillance charts draw, prepared without the
 * page (no DOM, no Bokeh): a chart's series for the chosen pathogen, its source's columns and
 * its lines' labels, the figure shown and its ranges. epicurves.charts.views.signals computes the
 * same in Python; the tests run this file under node and compare. In the browser it sets
 * self.EpicurvesSignalData (after chartdata.js); under node, require() gives
 * make(spec, chartData). Plain ES2017, no build step. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.EpicurvesSignalData = factory(root.EPICURVES_SPEC, root.EpicurvesChartData);
  }
})(typeof self !== "undefined" ? self : this, function make(spec, chartData) {
  "use strict";

  var DAY = spec.day;
  var NAMES = spec.names;
  var validRange = chartData.validRange;

  /* A series' dates (ms) and values (null where missing) from its compact form. */
  function expandSeries(series) {
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

  /* Columns aligned on the union of the given series' dates: {x, name: values}; a later
   * column of the same name replaces an earlier one. */
  function align(named) {
    var days = {};
    named.forEach(function (item) {
      item[1].x.forEach(function (x) {
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
    named.forEach(function (item) {
      var column = new Array(x.length).fill(NaN);
      item[1].x.forEach(function (value, i) {
        var v = item[1][item[2] || "v"][i];
        column[where[value]] = v === null ? NaN : v;
      });
      columns[item[0]] = column;
    });
    return columns;
  }

  /* A chart's series, of the region's signal data: its signal's (and its counts'), of the
   * estimates and age groups it draws. */
  function chartSeries(chart, series) {
    return series.filter(function (s) {
      var mine = s.signal === chart.signal || (chart.counts && s.signal === chart.counts);
      var aged = !chart.ages || !chart.ages.length || chart.ages.indexOf(s.age_group) >= 0;
      return mine && aged && chart.estimates.indexOf(s.estimate) >= 0;
    });
  }

  /* A series' values (on its grid) as its settled part and its provisional part: the last
   * ``weeks`` values, from the last settled one on, so that the two lines join. */
  function splitProvisional(values, weeks) {
    var first = values.length - weeks;
    var settled = values.map(function (v, i) {
      return i < first ? v : NaN;
    });
    var provisional = values.map(function (v, i) {
      return weeks && i >= first - 1 ? v : NaN;
    });
    return { settled: settled, provisional: provisional };
  }

  /* A chart by disease: for each of its pathogens with data, every value (v<i>), the settled
   * (s<i>) and the provisional weeks (p<i>), of its signal per 100 000 or in counts. */
  function diseaseLines(chart, series, state) {
    var signal = chart.counts && state.per === "count" ? chart.counts : chart.signal;
    var named = [];
    var labels = [];
    chart.pathogens.forEach(function (pathogen, i) {
      var found = series.filter(function (s) {
        return s.signal === signal && s.pathogen === pathogen;
      });
      if (!found.length) return;
      var data = expandSeries(found[0]);
      var values = data.v.map(function (v) {
        return v === null ? NaN : v;
      });
      var parts = splitProvisional(values, chart.provisional[pathogen] || 0);
      named.push(["v" + i, { x: data.x, v: values }]);
      named.push(["s" + i, { x: data.x, v: parts.settled }]);
      named.push(["p" + i, { x: data.x, v: parts.provisional }]);
      labels.push(chart.diseases[i]);
    });
    return { named: named, labels: labels };
  }

  /* A chart's forecasts (chart.fans: line -> target), from the region's forecast data (its
   * "<id>.fc" script), in the chart's units: line -> fan source data. A forecast is of counts
   * (the target's signal), drawn per 100 000 where the chart shows rates, times the fan's
   * per100k (epicurves.charts.views.signals._with_fans). */
  function chartFans(chart, series, state, forecast) {
    var out = {};
    var fans = (forecast && forecast.fans) || {};
    Object.keys(chart.fans || {}).forEach(function (key) {
      var i = Number(key);
      var target = chart.fans[key];
      var pathogen = chart.pathogens.length ? chart.pathogens[i] : "";
      var fan = fans[target];
      var declared = spec.fan.targets[target];
      var drawn = series.filter(function (s) {
        return (s.signal === chart.signal || s.signal === chart.counts) && (!pathogen || s.pathogen === pathogen);
      });
      if (!fan || !drawn.length) return;
      /* a forecast is of counts: per 100 000 by the factor the site computed with it */
      var factor = state.per === "count" && chart.counts === declared.signal ? 1 : fan.per100k;
      if (typeof factor !== "number" || !isFinite(factor)) return; /* null: no factor */
      var log = chart.log && state.scale === "log";
      out[i] = chartData.fanSource(fan, false, factor, log, pathogen ? chart.diseases[i] : "");
    });
    return out;
  }

  /* A surveillance chart's source columns and, by age group, its lines' labels, for the
   * chosen pathogen (of a chart by pathogen). */
  function signalColumns(chart, series, state) {
    var picked = series;
    if (chart.lines === "pathogen") {
      picked = picked.filter(function (s) {
        return s.pathogen === state.pathogen;
      });
    }
    var named = [];
    var labels = [];
    if (chart.lines === "disease") {
      var lines = diseaseLines(chart, picked, state);
      named = lines.named;
      labels = lines.labels;
    } else if (chart.lines === "age_group") {
      var ordered = picked.slice().sort(function (a, b) {
        /* all ages first, then the groups in order */
        var ka = a.age_group === spec.allAges ? "" : a.age_group;
        var kb = b.age_group === spec.allAges ? "" : b.age_group;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
      ordered.slice(0, spec.ageLines).forEach(function (s, i) {
        named.push(["g" + i, expandSeries(s)]);
        labels.push(s.age_group === spec.allAges ? "all ages" : s.age_group);
      });
    } else {
      picked.forEach(function (s) {
        var data = expandSeries(s);
        named.push([s.estimate, data]);
        if (s.lo) {
          named.push(["lo", data, "lo"]);
          named.push(["hi", data, "hi"]);
        }
      });
    }
    var columns = align(named);
    var n = columns.x.length;
    spec.signalFigures[chart.figure].forEach(function (key) {
      if (!columns[key]) columns[key] = new Array(n).fill(NaN);
    });
    return { columns: columns, labels: labels };
  }

  function finite(values) {
    return Array.prototype.filter.call(values, function (v) {
      return isFinite(v);
    });
  }

  /* The figure shown (the log twin or not), the x range and its bounds, the y range. */
  function signalRanges(chart, columns, state, fans) {
    var log = chart.log && state.scale === "log";
    var figure = NAMES.figure + chart.figure + (log ? NAMES.log : "");
    var x = columns.x;
    var out = { figure: figure, x: null, bounds: null, y: null };
    var values = [];
    Object.keys(columns).forEach(function (key) {
      if (key !== "x") values = values.concat(finite(columns[key]));
    });
    var ahead = [];
    Object.keys(fans || {}).forEach(function (i) {
      ahead = ahead.concat(fans[i].x);
      values = values.concat(finite(fans[i].lo95), finite(fans[i].hi95));
    });
    if (x.length) {
      var last = Math.max.apply(null, [x[x.length - 1]].concat(ahead));
      var span = Math.max(last - x[0], 7 * DAY);
      out.bounds = [x[0] - 0.1 * span, last + 0.1 * span];
      out.x = validRange(x[0] - 0.02 * span, last + 0.02 * span);
    }
    if (log) {
      var positive = values.filter(function (v) {
        return v > 0;
      });
      var lo = Math.min.apply(null, positive.length ? positive : [1]);
      var hi = Math.max.apply(null, positive.length ? positive : [10]);
      out.y = validRange(lo / 1.5, hi * 1.6);
    } else {
      var top = values.length ? Math.max.apply(null, values) : 1;
      out.y = validRange(0, (top > 0 ? top : 1) * 1.08);
    }
    return out;
  }

  /* A chart by age group's shaded span of provisional weeks ({left, right, bottom, top},
   * one row or none; null: the chart has none): from half a step before the first of its
   * newest weeks to half a step after the last, over the y range. */
  function provisionalSpan(chart, columns, ranges) {
    var weeks = chart.provisionalSpan || 0;
    if (!weeks || chart.pathogens.length) return null;
    var span = {};
    spec.provisionalSpan.forEach(function (key) {
      span[key] = [];
    });
    var x = columns.x;
    if (!x.length || !ranges.y) return span;
    var last = x[x.length - 1];
    var half = 3.5 * DAY;
    span.left = [last - (weeks - 1) * 7 * DAY - half];
    span.right = [last + half];
    span.bottom = [ranges.y[0]];
    span.top = [ranges.y[1]];
    return span;
  }

  /* A chart's title: with the unit of the region's values where that differs by region. */
  function chartTitle(chart) {
    return chart.unit_title && chart.unit ? chart.title + ", " + chart.unit : chart.title;
  }

  return {
    provisionalSpan: provisionalSpan,
    chartTitle: chartTitle,
    expandSeries: expandSeries,
    chartSeries: chartSeries,
    splitProvisional: splitProvisional,
    signalColumns: signalColumns,
    signalRanges: signalRanges,
    chartFans: chartFans,
    emptyFan: function () {
      return chartData.fanSource(null, false, 1, false, "");
    },
  };
});
