/* epicurves map pages: colours the map (static/map-<name>-*.js, a Bokeh item with one named
 * source "map") by each region's value on the chosen date, and fills the table below it. The
 * numbers come from the page (<script id="map-config" type="application/json">): one series
 * of dates and values, or a layer of them per disease (config.layers: a map of a signal, with
 * a disease control); the view is in the URL (#date=YYYY-MM-DD, #layer=...). Plain ES2017;
 * needs bokeh.min.js, the spec and site.js first. */
(function () {
  "use strict";

  var NO_DATA = self.EPICURVES_SPEC.mapNoData;

  function colour(config, value) {
    if (value === null || value === undefined || !isFinite(value)) return NO_DATA;
    var index = 0;
    for (var i = 0; i < config.bins.length; i++) {
      if (value >= config.bins[i]) index = i;
    }
    return config.colours[index];
  }

  function text(config, value) {
    return value === null || value === undefined ? "" : value.toLocaleString("en", config.format);
  }

  /* The layers of a map: its own, or one series of dates and values (an incidence map). */
  function layersOf(config) {
    return config.layers || [{ key: "", dates: config.dates, default: config.default, regions: config.regions }];
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return values[key] === undefined ? match : values[key];
    });
  }

  /* The same words as the page's table (epicurves.site.maps._note and signal_note). */
  function note(config, layer, id, position, missing) {
    var entry = layer.regions[id];
    if (!config.layers) {
      if (!entry || !entry.values) return "no data";
      var status = config.status[entry.status] || "";
      return missing ? "no data on this date; last data " + entry.last + " (" + status + ")" : status;
    }
    var notes = config.notes;
    if (!entry) return (layer.excluded && layer.excluded[id]) || fill(notes.none, { source: layer.source });
    var index = position - entry.from;
    if (index < 0) return fill(notes.before, { first: layer.dates[entry.from] });
    if (index >= entry.values.length) return fill(notes.after, { last: entry.last });
    if (missing) return notes.hole;
    var weeks = entry.provisional !== undefined ? entry.provisional : layer.provisional;
    return index >= entry.values.length - weeks ? notes.provisional : "";
  }

  function valueAt(layer, id, position) {
    var entry = layer.regions[id];
    if (!entry || !entry.values) return null;
    var value = entry.values[position - (entry.from | 0)];
    return value === undefined ? null : value;
  }

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (element) {
      element.textContent = value;
    });
  }

  function MapView(config, source) {
    this.config = config;
    this.source = source;
    this.layers = layersOf(config);
    this.layer = this.layers[0];
    this.rows = {};
    var self = this;
    document.querySelectorAll("#map-table tbody tr").forEach(function (row) {
      self.rows[row.getAttribute("data-region")] = row;
    });
  }

  /* Shows a layer (by its key; the first if none is): its notes, its name, its dates. */
  MapView.prototype.choose = function (key) {
    var found = this.layers.filter(function (layer) {
      return layer.key === key;
    });
    this.layer = found[0] || this.layers[0];
    var chosen = this.layer;
    document.querySelectorAll(".map-layer-note").forEach(function (element) {
      element.hidden = element.getAttribute("data-layer") !== chosen.key;
    });
    if (chosen.label) setText(".map-layer-name", chosen.label);
    setText("#map-default-date", chosen.dates[Math.max(chosen.default, 0)] || "");
    var input = document.getElementById("map-date");
    if (input) input.max = String(Math.max(chosen.dates.length - 1, 0));
    var select = document.getElementById("map-layer");
    if (select) select.value = chosen.key;
    return chosen;
  };

  MapView.prototype.show = function (position) {
    var config = this.config;
    var layer = this.layer;
    var date = layer.dates[position] || "";
    var data = this.source.data;
    var ids = data.id;
    var colours = [];
    var values = [];
    var notes = [];
    var hrefs = [];
    var names = [];
    for (var i = 0; i < ids.length; i++) {
      var entry = config.regions[ids[i]];
      var value = valueAt(layer, ids[i], position);
      var missing = value === null;
      colours.push(colour(config, value));
      values.push(missing ? "no data" : text(config, value));
      notes.push(note(config, layer, ids[i], position, missing));
      hrefs.push(entry && entry.href ? config.root + entry.href : "");
      names.push(entry && entry.name ? entry.name : data.name[i]);
    }
    var self = this;
    Object.keys(this.rows).forEach(function (id) {
      var value = valueAt(layer, id, position);
      var row = self.rows[id];
      row.cells[1].textContent = text(config, value);
      row.cells[2].textContent = note(config, layer, id, position, value === null);
    });
    document.querySelectorAll(".off-value").forEach(function (element) {
      var value = valueAt(layer, element.getAttribute("data-region"), position);
      element.textContent = value === null ? "no data" : text(config, value);
    });
    this.source.data = { id: ids, name: names, xs: data.xs, ys: data.ys, colour: colours, value: values, note: notes, href: hrefs };
    setText(".map-date", date);
    var output = document.getElementById("map-date-text");
    if (output) output.textContent = date;
    var input = document.getElementById("map-date");
    if (input) input.setAttribute("aria-valuetext", date);
    document.body.dataset.mapDate = date;
    document.body.dataset.mapLayer = layer.key;
  };

  /* A tap selects a region: open its page, if it has one. */
  MapView.prototype.follow = function () {
    var source = this.source;
    source.selected.change.connect(function () {
      var index = source.selected.indices[0];
      var href = index === undefined ? "" : source.data.href[index];
      if (href) {
        window.location.href = href;
      } else if (index !== undefined) {
        source.selected.indices = [];
      }
    });
  };

  /* The tooltip names what the map shows (the map's drawing may be shared by maps of
   * different measures). */
  function nameMeasure(doc, measure) {
    if (!measure) return;
    doc.all_models.forEach(function (model) {
      if (model.constructor.__name__ === "HoverTool" && Array.isArray(model.tooltips)) {
        model.tooltips = model.tooltips.map(function (tip, i) {
          return i === 1 ? [measure, tip[1]] : tip;
        });
      }
    });
  }

  function start() {
    var element = document.getElementById("map-config");
    if (!element) return;
    var config = JSON.parse(element.textContent);
    var item = (self.EPICURVES_MAPS || {})[config.map];
    if (!window.Bokeh || !item || !window.Epicurves) {
      document.body.dataset.mapError = "Bokeh or the map did not load";
      return;
    }
    var input = document.getElementById("map-date");
    var select = document.getElementById("map-layer");
    window.Epicurves.embed(item, "map").then(function (doc) {
      nameMeasure(doc, config.measure);
      var view = new MapView(config, doc.get_model_by_name(self.EPICURVES_SPEC.names.map));
      var write = function () {
        var state = { date: view.layer.dates[Number(input.value)] };
        if (config.layers) state = { layer: view.layer.key, date: state.date };
        window.Epicurves.writeState(state);
      };
      var set = function (index, save) {
        input.value = String(index);
        view.show(index);
        if (save) write();
      };
      /* The view the URL names: its layer, its date (else the layer's own default). */
      var restore = function () {
        var state = window.Epicurves.readState();
        var layer = view.choose(state.layer || "");
        var position = layer.dates.indexOf(state.date);
        set(position < 0 ? Math.max(layer.default, 0) : position, false);
      };
      restore();
      view.follow();
      input.addEventListener("input", function () {
        set(Number(input.value), true);
      });
      if (select) {
        select.addEventListener("change", function () {
          var layer = view.choose(select.value);
          set(Math.max(layer.default, 0), true);
        });
      }
      var back = document.getElementById("map-default");
      if (back) {
        back.addEventListener("click", function () {
          set(Math.max(view.layer.default, 0), true);
        });
      }
      window.addEventListener("hashchange", restore);
      window.requestAnimationFrame(function () {
        document.body.dataset.mapReady = "1";
      });
    });
    window.Epicurves.copyLink(document.getElementById("copy-link"), document.getElementById("copy-status"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
