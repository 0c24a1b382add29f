/* epicurves region page: embeds the shared charts (window.EPICURVES_CHARTS, built once by
 * epicurves.charts.layouts.region) and fills their named sources with what chartdata.js prepares
 * from one region's payload. The document's root holds the first screen's panels; the others
 * (a column kept in the root's tags) become a second root, and are built, once the first are
 * on screen. Plain ES2017, no build step; needs bokeh.min.js, the spec, chartdata.js and
 * site.js loaded first. */
(function () {
  "use strict";

  var Data = window.EpicurvesChartData;
  var spec = Data.spec;
  var NAMES = spec.names;
  var DEFAULT_WINDOW = spec.defaultWindow;
  /* Said once the first charts are on screen: the surveillance charts are drawn after them. */
  var READY_EVENT = "epicurves:charts-ready";

  /* Sets a range and where the reset tool goes back to; null leaves it as it was. */
  function setRange(range, span) {
    if (span) {
      range.setv({ start: span[0], end: span[1], reset_start: span[0], reset_end: span[1] });
    }
  }

  function Charts(doc, payload, forecast) {
    this.doc = doc;
    this.payload = payload;
    this.region = Data.prepare(payload, forecast);
    this.state = { scale: "linear", per: this.region.population !== null ? "per100k" : "count", window: DEFAULT_WINDOW };
    this.peers = [];
  }

  Charts.prototype.model = function (name) {
    var model = this.doc.get_model_by_name(name);
    if (model === null) {
      throw new Error("epicurves: the charts have no model named " + name);
    }
    return model;
  };

  /* The figures, by name (spec.figures). */
  Charts.prototype.figures = function () {
    var self = this;
    var out = {};
    spec.figures.forEach(function (name) {
      out[name] = self.model(name);
    });
    return out;
  };

  /* Sets every source from the payload and the current units and scale, the panels shown,
   * their titles, the comparison lines and the ranges. */
  Charts.prototype.fill = function () {
    var self = this;
    var data = Data.sourceData(this.region, this.state);
    Object.keys(spec.sources).forEach(function (name) {
      self.model(name).data = data[name];
    });
    this.data = data;
    var figs = this.figures();
    var shown = Data.panels(data, this.state);
    Object.keys(shown).forEach(function (name) {
      figs[name].visible = shown[name];
    });
    var titles = Data.titles(this.state);
    Object.keys(titles).forEach(function (name) {
      figs[name].title.text = titles[name];
    });
    this.fillCompare();
    this.rescale();
  };

  /* The comparison chart: this region (line 0) and the peers that loaded. */
  Charts.prototype.fillCompare = function () {
    var self = this;
    var lines = [{ name: this.payload.name || this.payload.region_id, payload: this.payload }].concat(this.peers);
    var made = Data.compare(lines);
    var legend = this.model(NAMES.compareLegend);
    if (!this.legendItems) {
      this.legendItems = legend.items.slice();
    }
    var items = [];
    made.labels.forEach(function (label, i) {
      var name = NAMES.compareSource + i;
      var item = self.legendItems[i];
      self.model(name).data = made.data[name];
      self.data[name] = made.data[name];
      if (label !== null) {
        item.label = { value: label };
        items.push(item);
      }
      item.renderers.forEach(function (renderer) {
        renderer.visible = label !== null;
      });
    });
    legend.items = items;
  };

  /* The shared x range from the time window; y ranges fitted to the data in view. */
  Charts.prototype.rescale = function () {
    var self = this;
    var made = Data.ranges(this.region, this.data, this.state);
    if (made.bounds === null) {
      return;
    }
    this.model(NAMES.x).setv({ bounds: made.bounds });
    Object.keys(made.ranges).forEach(function (name) {
      setRange(self.model(name), made.ranges[name]);
    });
  };

  /* Peer lines: each peer's small incidence file (data/<id>.inc.js), not its full data. */
  Charts.prototype.loadPeers = function (base, peers) {
    var self = this;
    var wanted = (peers || []).slice(0, spec.compareLines - 1);
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
    spec.figures.forEach(function (name) {
      var ticker = doc.get_model_by_name(NAMES.ticks + name);
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

  /* The panels below the first screen: their column becomes the document's second root. */
  Charts.prototype.buildMore = function () {
    var more = this.doc.get_model_by_name(NAMES.more);
    if (more !== null && this.doc.roots().indexOf(more) < 0) {
      this.doc.add_root(more);
    }
  };

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
    var target = options.target || NAMES.charts;
    if (!window.Bokeh || !window.Epicurves || !item || !main) {
      return Promise.reject(new Error("epicurves: Bokeh, the charts or the region's data are missing"));
    }
    var payload = window.Epicurves.expand(main, inc);
    var forecast = registry[options.region + ".fc"] || null;
    var controls = options.controls || {};
    var wanted = window.Epicurves.readState();
    downloads(payload);
    forecastNotes(forecast, options.root || "");
    return window.Epicurves.embed(item, target).then(function (doc) {
      var charts = new Charts(doc, payload, forecast);
      var hasPopulation = charts.region.population !== null;
      charts.control(controls.scale, "scale", "linear", ["linear", "log"], wanted.scale);
      charts.control(controls.per, "per", hasPopulation ? "per100k" : "count", hasPopulation ? null : ["count"], wanted.per);
      charts.control(controls.window, "window", DEFAULT_WINDOW, Object.keys(spec.windows), wanted.window);
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
        document.dispatchEvent(new Event(READY_EVENT));
        window.setTimeout(function () {
          charts.buildMore();
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

  /* The forecasts in words beside their charts (each chart's text alternative names them):
   * the fan's median and 95 % interval per week, the track record, a link to the scorecard. */
  function forecastNotes(forecast, root) {
    var notes = window.EpicurvesFans.forecastNotes(forecast);
    Object.keys(notes).forEach(function (chart) {
      var main = chart === "cases" || chart === "deaths";
      var box = document.getElementById("forecast-" + (main ? "main" : chart)) || document.getElementById("forecast-main");
      if (!box) return;
      notes[chart].forEach(function (note) {
        var p = document.createElement("p");
        p.className = "note forecast-note";
        p.dataset.target = note.target;
        p.appendChild(document.createTextNode(note.text + " "));
        if (note.weeks.length) {
          p.appendChild(document.createTextNode(note.weeks.join("; ") + ". "));
        }
        if (note.record) {
          p.appendChild(document.createTextNode(note.record + " "));
        }
        var link = document.createElement("a");
        link.href = root + spec.fan.scorecard + "#t-" + note.target.replace(/ /g, "-");
        link.textContent = "How good are these forecasts?";
        p.appendChild(link);
        if (note.weeks.length && forecast.region_id) {
          var csv = document.createElement("a");
          csv.href = root + spec.fan.folder + "/" + forecast.region_id + ".csv";
          csv.textContent = "the forecasts (CSV, the hubs' format)";
          p.appendChild(document.createTextNode(" Download "));
          p.appendChild(csv);
          p.appendChild(document.createTextNode("."));
        }
        box.appendChild(p);
      });
      box.hidden = false;
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
      target: NAMES.charts,
      region: options.region,
      data: options.data,
      root: options.root,
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

  window.EpicurvesRegion = { render: render, start: start, READY_EVENT: READY_EVENT };
})();
