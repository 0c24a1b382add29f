/* epicurves map pages: colours the map (static/map-<name>-*.js, a Bokeh item with one named
 * source "map") by each region's 7-day incidence on the chosen date, and fills the table below
 * it. The numbers come from the page (<script id="map-config" type="application/json">); the
 * date is in the URL (#date=YYYY-MM-DD). Plain ES2017; needs bokeh.min.js, the spec and site.js
 * first. */
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

  function text(value) {
    return value === null || value === undefined
      ? ""
      : value.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  /* The same words as the page's table (epicurves.site.maps._note, STATUS_TEXT). */
  function note(config, entry, missing) {
    if (!entry || !entry.values) return "no data";
    var status = config.status[entry.status] || "";
    return missing ? "no data on this date; last data " + entry.last + " (" + status + ")" : status;
  }

  function MapView(config, source) {
    this.config = config;
    this.source = source;
    this.rows = {};
    var self = this;
    document.querySelectorAll("#map-table tbody tr").forEach(function (row) {
      self.rows[row.getAttribute("data-region")] = row;
    });
  }

  MapView.prototype.show = function (position) {
    var config = this.config;
    var date = config.dates[position] || "";
    var data = this.source.data;
    var ids = data.id;
    var colours = [];
    var values = [];
    var notes = [];
    var hrefs = [];
    var names = [];
    for (var i = 0; i < ids.length; i++) {
      var entry = config.regions[ids[i]];
      var value = entry && entry.values ? entry.values[position - (entry.from | 0)] : null;
      var missing = value === null || value === undefined;
      colours.push(colour(config, value));
      values.push(missing ? "no data" : text(value));
      notes.push(note(config, entry, missing));
      hrefs.push(entry && entry.href ? config.root + entry.href : "");
      names.push(entry && entry.name ? entry.name : data.name[i]);
      var row = this.rows[ids[i]];
      if (row) {
        row.cells[1].textContent = missing ? "" : text(value);
        row.cells[2].textContent = note(config, entry, missing);
      }
    }
    this.source.data = { id: ids, name: names, xs: data.xs, ys: data.ys, colour: colours, value: values, note: notes, href: hrefs };
    document.querySelectorAll(".map-date").forEach(function (element) {
      element.textContent = date;
    });
    var output = document.getElementById("map-date-text");
    if (output) output.textContent = date;
    var input = document.getElementById("map-date");
    if (input) input.setAttribute("aria-valuetext", date);
    document.body.dataset.mapDate = date;
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
    var wanted = window.Epicurves.readState().date;
    var position = config.dates.indexOf(wanted);
    if (position < 0) position = Math.max(config.default, 0);
    window.Epicurves.embed(item, "map").then(function (doc) {
      var view = new MapView(config, doc.get_model_by_name(self.EPICURVES_SPEC.names.map));
      var set = function (index, write) {
        input.value = String(index);
        view.show(index);
        if (write) window.Epicurves.writeState({ date: config.dates[index] });
      };
      set(position, false);
      view.follow();
      input.addEventListener("input", function () {
        set(Number(input.value), true);
      });
      var back = document.getElementById("map-default");
      if (back) {
        back.addEventListener("click", function () {
          set(config.default, true);
        });
      }
      window.addEventListener("hashchange", function () {
        var index = config.dates.indexOf(window.Epicurves.readState().date);
        if (index >= 0) set(index, false);
      });
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
