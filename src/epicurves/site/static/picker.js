/* epicurves compare page: the searchable region picker, a combobox (type to filter, arrows,
 * Enter) with the chosen regions as chips; compare.js draws what it picks. Plain ES2017, no
 * build step. Sets window.EpicurvesPicker. */
(function () {
  "use strict";

  function byId(id) {
    return id ? document.getElementById(id) : null;
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

  window.EpicurvesPicker = Picker;
})();
