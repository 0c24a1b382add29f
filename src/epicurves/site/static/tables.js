/* epicurves table pages: sorting, search and paging by DataTables (from the itables wheel,
 * loaded as a classic script of the site: static/dt_bundle-*.js sets window.EpicurvesDataTables).
 * Search also finds a region's other spellings (its aliases, in the name cell, hidden). */
(function () {
  "use strict";

  function start() {
    var DataTable = window.EpicurvesDataTables && window.EpicurvesDataTables.DataTable;
    if (!DataTable) {
      document.body.dataset.tablesError = "DataTables did not load";
      return;
    }
    document.querySelectorAll("table.data").forEach(function (table) {
      var api = new DataTable(table, {
        pageLength: Number(table.dataset.pageLength),
        order: [[Number(table.dataset.orderColumn), "desc"]],
        lengthMenu: [10, 25, 50, 100, 500],
        scrollX: false,
      });
      /* several tables on a page: each pagination landmark gets its table's name */
      var section = table.closest("section");
      var heading = section ? section.querySelector("h2") : null;
      var name = function () {
        var wrapper = table.closest(".dt-container");
        var nav = wrapper ? wrapper.querySelector("nav[aria-label]") : null;
        if (nav && heading) nav.setAttribute("aria-label", "Pages of " + heading.textContent);
      };
      name();
      api.on("draw", name);
    });
    document.body.dataset.tablesReady = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
