/* Runs the page's chart-data scripts (static/chartdata.js, static/signaldata.js) under node on
 * cases read as JSON from stdin, for tests/charts/test_views_js.py; writes what they prepare as
 * JSON (NaN as null). Usage: node chartdata_harness.js STATIC_DIR < cases.json */
"use strict";

const path = require("path");

const folder = process.argv[2];
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const fans = require(path.resolve(folder, "fans.js"))(input.spec);
const chartData = require(path.resolve(folder, "chartdata.js"))(input.spec, fans);
const signalData = require(path.resolve(folder, "signaldata.js"))(input.spec, chartData);

function plain(value) {
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    const out = {};
    Object.keys(value).forEach((key) => {
      out[key] = plain(value[key]);
    });
    return out;
  }
  return value;
}

function region(item) {
  const prepared = chartData.prepare(item.payload, item.forecast || null);
  const data = chartData.sourceData(prepared, item.state);
  const lines = [{ name: item.payload.name || item.payload.region_id, payload: item.payload }].concat(item.peers);
  const compare = chartData.compare(lines);
  Object.assign(data, compare.data);
  return {
    sources: data,
    labels: compare.labels,
    panels: chartData.panels(data, item.state),
    titles: chartData.titles(item.state),
    ranges: chartData.ranges(prepared, data, item.state),
  };
}

function signals(item) {
  return item.charts.map((chart) => {
    const series = signalData.chartSeries(chart, item.series);
    const made = signalData.signalColumns(chart, series, item.state);
    const fans = signalData.chartFans(chart, series, item.state, item.forecast || null);
    const ranges = signalData.signalRanges(chart, made.columns, item.state, fans);
    return {
      anchor: chart.anchor,
      fans: fans,
      columns: made.columns,
      labels: made.labels,
      ranges: ranges,
      span: signalData.provisionalSpan(chart, made.columns, ranges),
      title: signalData.chartTitle(chart),
    };
  });
}

const out = {
  regions: input.regions.map(region),
  signals: input.signals.map(signals),
  logTicks: input.logTicks.map((pair) => chartData.logTicks(pair[0], pair[1])),
  levelColours: input.levelColours.map(chartData.levelColour),
  formatNumbers: input.formatNumbers.map(chartData.formatNumber),
};
process.stdout.write(JSON.stringify(plain(out)));
