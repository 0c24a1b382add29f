/* epicurves site: what the region page, compare and the maps share (after the spec and
 * chartdata.js).
 * - load(base, key): a region's data script (data/<id>.js or data/<id>.inc.js), added as a
 *   classic <script> of the site itself, so it works from file:// and under script-src 'self';
 * - expand(main, inc): the two data objects as one payload (dates and full-length series,
 *   the series listed in "derived" computed from the daily counts: see derive);
 * - readState/writeState: a view's options in the URL (#key=value&...);
 * - copyLink(button, status) and download(name, type, text): the share and download buttons.
 * Plain ES2017, no build step. */
(function () {
  "use strict";

  var spec = self.EPICURVES_SPEC;
  var Data = self.EpicurvesChartData;
  var DAY = spec.day;
  var pending = {};

  /* The columns of a payload's CSV download, in order. */
  var CSV_COLUMNS = spec.download;
  /* Series the data scripts may leave out: [daily series, later offset, earlier offset,
   * least earlier sum (null: none)]. */
  var DERIVED = spec.derived;


  function registry() {
    if (!self.EPICURVES_DATA) {
      self.EPICURVES_DATA = {};
    }
    return self.EPICURVES_DATA;
  }

  /* Resolves to the object registered under key, or null when the file does not load. */
  function load(base, key) {
    var known = registry()[key];
    if (known) {
      return Promise.resolve(known);
    }
    if (!pending[key]) {
      pending[key] = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = base + encodeURIComponent(key) + ".js";
        script.onload = function () {
          resolve(registry()[key] || null);
        };
        script.onerror = function () {
          delete pending[key];
          resolve(null);
        };
        document.head.appendChild(script);
      });
    }
    return pending[key];
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  /* One series of a data object as an array of days values (null where missing). */
  function full(data, name) {
    var days = data.days | 0;
    var out = new Array(days).fill(null);
    var values = data.series[name];
    if (!values) {
      return out;
    }
    var first = (data.from && data.from[name]) | 0;
    for (var i = 0; i < values.length && first + i < days; i++) {
      var v = values[i];
      out[first + i] = v === undefined ? null : v;
    }
    return out;
  }

  /* The region's payload: header, dates, every series (the centred 7-day means are the
   * trailing ones three days later) and flags, from its data objects (inc may be null). */
  function expand(main, inc) {
    var head = main || inc;
    var out = {};
    ["region_id", "name", "kind", "parent", "source", "population", "vintage", "provisional_days"].forEach(
      function (key) {
        out[key] = head[key] === undefined ? null : head[key];
      }
    );
    var start = Date.parse(head.start + "T00:00:00Z");
    out.dates = [];
    for (var i = 0; i < head.days; i++) {
      out.dates.push(isoDay(start + i * DAY));
    }
    [main, inc].forEach(function (data) {
      if (!data) return;
      Object.keys(data.series).forEach(function (name) {
        out[name] = full(data, name);
      });
    });
    ((main && main.derived) || []).forEach(function (name) {
      out[name] = derive(name, out[DERIVED[name][0]] || new Array(head.days).fill(null));
    });
    /* series without any value are not stored: they are all missing */
    var centred = Object.keys(spec.daily).map(function (panel) {
      return spec.daily[panel].centred;
    });
    CSV_COLUMNS.forEach(function (name) {
      var here = name === spec.incidence ? inc : main;
      if (here && !out[name] && centred.indexOf(name) < 0) {
        out[name] = new Array(head.days).fill(null);
      }
    });
    /* the centred 7-day means are the trailing ones three days later */
    Object.keys(spec.daily).forEach(function (panel) {
      var mean = out[spec.daily[panel].mean];
      if (mean) {
        out[spec.daily[panel].centred] = mean.slice(3).concat([null, null, null]).slice(0, mean.length);
      }
    });
    out.flags = main && main.flags ? main.flags : [];
    return out;
  }

  /* Rounds to the nearest whole number, halves to even (numpy's rint). */
  function rint(y) {
    var r = Math.round(y);
    return r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  /* A series of DERIVED from the daily counts as stored, by the same floating-point steps as
   * epicurves.site.payload.derive: the trailing 7-day mean (S7/7, one decimal), or the ratio
   * of two 7-day sums (two decimals), days later/earlier apart, where the earlier sum is at
   * least the least. A window with a missing day gives null. */
  function derive(name, daily) {
    var rule = DERIVED[name];
    var n = daily.length;
    var sums = new Array(n).fill(NaN);
    for (var i = 6; i < n; i++) {
      var s = 0;
      for (var k = i - 6; k <= i; k++) {
        s += daily[k] === null || daily[k] === undefined ? NaN : daily[k];
      }
      sums[i] = s;
    }
    var out = new Array(n).fill(null);
    for (var t = 0; t < n; t++) {
      var v;
      if (rule[2] === 0) {
        v = rint((sums[t] / 7) * 10) / 10;
      } else {
        var a = t - rule[1];
        var b = t - rule[2];
        var top = a >= 0 && a < n ? sums[a] : NaN;
        var bottom = b >= 0 && b < n ? sums[b] : NaN;
        v = top / bottom;
        v = isFinite(v) && (rule[3] === null || bottom >= rule[3]) ? rint(v * 100) / 100 : NaN;
      }
      out[t] = isFinite(v) ? v : null;
    }
    return out;
  }

  function readState() {
    var out = {};
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    params.forEach(function (value, key) {
      out[key] = value;
    });
    return out;
  }

  /* Puts the view's options in the URL without a new history entry. */
  function writeState(state) {
    var params = new URLSearchParams();
    Object.keys(state).forEach(function (key) {
      if (state[key] !== null && state[key] !== undefined && state[key] !== "") {
        params.set(key, state[key]);
      }
    });
    var hash = "#" + params.toString().replace(/%2C/g, ",");
    if (hash === "#") hash = "";
    var url = window.location.href.replace(/#.*$/, "") + hash;
    try {
      window.history.replaceState(null, "", url);
    } catch (error) {
      window.location.hash = hash;
    }
  }

  function say(status, text) {
    if (status) {
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 30);
    }
  }

  /* A "copy link" button: the page's URL, with its view, to the clipboard (or selected in a
   * text field where the clipboard is refused). */
  function copyLink(button, status) {
    if (!button) return;
    button.addEventListener("click", function () {
      var url = window.location.href;
      var fallback = function () {
        var field = button.parentElement.querySelector(".link-field");
        if (!field) {
          field = document.createElement("input");
          field.type = "text";
          field.readOnly = true;
          field.setAttribute("aria-label", "Link to this view");
          field.className = "link-field";
          button.insertAdjacentElement("afterend", field);
        }
        field.value = url;
        field.select();
        say(status, "Select and copy the link shown.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () {
          say(status, "Link copied.");
        }, fallback);
      } else {
        fallback();
      }
    });
  }

  /* Offers text as a file to save. */
  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 1000);
  }

  function csv(payload) {
    var flags = new Array(payload.dates.length).fill("");
    payload.flags.forEach(function (pair) {
      flags[pair[0]] = pair[1];
    });
    var lines = [["region_id", "date"].concat(CSV_COLUMNS, ["flags"]).join(",")];
    for (var i = 0; i < payload.dates.length; i++) {
      var row = [payload.region_id, payload.dates[i]];
      CSV_COLUMNS.forEach(function (name) {
        var v = payload[name] ? payload[name][i] : null;
        row.push(v === null || v === undefined ? "" : String(v));
      });
      row.push(flags[i]);
      lines.push(row.join(","));
    }
    return lines.join("\n") + "\n";
  }

  /* Keeps a log axis's FixedTicker on logTicks of its figure's y range, whenever the range
   * moves (the page sets it, a zoom changes it). */
  function followLogTicks(figure, ticker) {
    var range = figure.y_range;
    var update = function () {
      if (isFinite(range.start) && isFinite(range.end) && range.end > 0) {
        ticker.ticks = Data.logTicks(range.start, range.end);
      }
    };
    range.change.connect(update);
    update();
  }

  /* Embeds a Bokeh json_item's root into the element with id target; resolves to its
   * document. Roots added to the document later are built into the same element, after it. */
  function embed(item, target) {
    var docs = {};
    docs[target] = item.doc;
    var roots = {};
    roots[item.root_id] = target;
    return window.Bokeh.embed
      .embed_items(docs, [{ docid: target, elementid: target, root_ids: [item.root_id], roots: roots }])
      .then(function (views) {
        return views[0].roots[0].model.document;
      });
  }

  window.Epicurves = {
    DAY: DAY,
    embed: embed,
    logTicks: Data.logTicks,
    followLogTicks: followLogTicks,
    load: load,
    expand: expand,
    derive: derive,
    readState: readState,
    writeState: writeState,
    copyLink: copyLink,
    download: download,
    csv: csv,
    say: say,
  };
})();
