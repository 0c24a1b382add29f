/* epicurves forecast fans: what the charts draw of a region's forecasts and what the page says
 * of them, from its forecast data script ("<id>.fc", epicurves.site.forecasts), without the page
 * (no DOM, no Bokeh). epicurves.charts.fans computes the same in Python, by the same
 * floating-point steps; the tests run this file under node and compare. Every name and label
 * comes from the charts' spec (self.EPICURVES_SPEC.fan). In the browser it sets
 * self.EpicurvesFans (chartdata.js reads it); under node, require() gives make(spec). Plain
 * ES2017, no build step. */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.EpicurvesFans = factory(root.EPICURVES_SPEC);
  }
})(typeof self !== "undefined" ? self : this, function make(spec) {
  "use strict";

  var DAY = spec.day;

  /* A fan's legend entry (epicurves.charts.fans.fan_label). */
  function fanLabel(fan, daily, line) {
    var text = spec.fan.label + " of " + fan.reference_date + " (" + fan.model + ")";
    text = line ? line + " " + text : text;
    return daily ? text + ", " + spec.fan.dailyRule : text;
  }

  /* The source data of one fan (epicurves.charts.fans.fan_source): on a daily chart each
   * week's values / 7 as a step over its seven days, on a weekly one at the week's end. */
  function fanSource(fan, daily, factor, log, line) {
    var columns = spec.fan.columns;
    var out = {};
    columns.forEach(function (c) {
      out[c] = [];
    });
    if (!fan) {
      return out;
    }
    var label = fanLabel(fan, daily, line);
    fan.weeks.forEach(function (week) {
      var end = Date.parse(week[0] + "T00:00:00Z");
      var values = week.slice(1).map(function (v) {
        var value = (v * factor) / (daily ? 7 : 1);
        return log && !(value > 0) ? NaN : value;
      });
      var edges = daily ? [end - 6.5 * DAY, end + 0.5 * DAY] : [end];
      edges.forEach(function (x) {
        out.x.push(x);
        for (var k = 0; k < 5; k++) {
          out[columns[k + 1]].push(values[k]);
        }
        out.label.push(label);
      });
    });
    return out;
  }

  /* The target whose forecast a chart draws (spec.fan.charts), "" for none. */
  function fanTarget(chart, pathogen) {
    var found = "";
    Object.keys(spec.fan.charts).forEach(function (target) {
      var where = spec.fan.charts[target];
      if (where[0] === chart && where[1] === (pathogen || "")) found = found || target;
    });
    return found;
  }

  /* A forecast value in words: whole from 100 on, else three significant digits. */
  function forecastNumber(value) {
    if (Math.abs(value) >= 100) {
      return Math.round(value).toLocaleString("en-US");
    }
    return String(Number(value.toPrecision(3)));
  }

  /* What the page says of a region's forecasts (its data script's fans and records), by the
   * chart each is drawn on ("cases", "deaths" or a surveillance chart's anchor): for each
   * target, its fan's median and 95 % interval per week, and its track record. */
  function forecastNotes(forecast) {
    var out = {};
    var fans = (forecast && forecast.fans) || {};
    var records = (forecast && forecast.records) || {};
    var targets = Object.keys(spec.fan.charts).filter(function (t) {
      return fans[t] || records[t];
    });
    targets.forEach(function (target) {
      var chart = spec.fan.charts[target][0];
      var fan = fans[target];
      var record = records[target];
      var note = { target: target, label: (fan || record).label, weeks: [], text: "", record: "" };
      if (fan) {
        note.text = "Forecast of " + fan.label + " made on " + fan.reference_date + " (" + fan.model + "), median and 95 % interval:";
        note.weeks = fan.weeks.map(function (w) {
          return "week ending " + w[0] + ": " + forecastNumber(w[3]) + " (" + forecastNumber(w[1]) + " to " + forecastNumber(w[5]) + ")";
        });
      } else {
        note.text = "No current forecast of " + record.label + ": the data end before the latest reference date (a track record only).";
      }
      if (record) {
        var change = Math.round(100 * (1 - record.relative_wis));
        var errors = change === 0
          ? "errors were as large as the baseline's"
          : "errors were " + Math.abs(change) + " % " + (change > 0 ? "smaller" : "larger") + " than the baseline's";
        note.record = "Over " + record.n.toLocaleString("en-US") + " past forecasts (" + record.first + " to " + record.last +
          "), the 95 % interval held the outcome " + Math.round(100 * record.coverage_95) + " % of the time; " + errors + ".";
      }
      (out[chart] = out[chart] || []).push(note);
    });
    return out;
  }

  return {
    fanLabel: fanLabel,
    fanSource: fanSource,
    fanTarget: fanTarget,
    forecastNotes: forecastNotes,
  };
});
