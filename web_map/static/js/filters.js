/* The filter panel: unit, key-area kind, category, severity, status and the as-of day (a date
 * picker and a month slider); every change redraws the map and is written to the URL. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var FIELDS = ["unit_id", "key_area_kind", "category", "severity", "status", "as_of"];

  function iso(d) {
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" +
      String(d.getDate()).padStart(2, "0");
  }

  /** Month offset (−12…0) → as-of day: the last day of that month, or today for this month. */
  function monthDay(offset) {
    var today = new Date(QZF.cfg.today + "T00:00:00");
    if (offset >= 0) return QZF.cfg.today;
    return iso(new Date(today.getFullYear(), today.getMonth() + offset + 1, 0));
  }

  function monthLabel(day) {
    var d = new Date(day + "T00:00:00");
    return d.getFullYear() + "年" + (d.getMonth() + 1) + "月";
  }

  function syncForm(form) {
    FIELDS.forEach(function (k) {
      var el = form.elements[k];
      if (k === "as_of") el.value = QZF.state.filters.as_of || QZF.cfg.today;
      else el.value = QZF.state.filters[k] || "";
    });
    var day = QZF.state.filters.as_of || QZF.cfg.today;
    document.getElementById("qzf-month-label").textContent = monthLabel(day);
  }

  /** Set filters (object of field → value, "" clears) and redraw. */
  QZF.setFilters = function (changes) {
    Object.keys(changes).forEach(function (k) {
      if (changes[k] === "" || changes[k] === null) delete QZF.state.filters[k];
      else QZF.state.filters[k] = changes[k];
    });
    if (QZF.state.filters.as_of === QZF.cfg.today) delete QZF.state.filters.as_of;
    var form = document.getElementById("qzf-filters");
    if (form) syncForm(form);
    if (QZF.showFilterCount) QZF.showFilterCount();
    QZF.reload();
  };

  function exportHref(kind) {
    if (kind === "png") {
      var c = QZF.map.getCenter(), size = QZF.map.getSize();
      return "/map/export.png?" + QZF.query({
        basemap: QZF.state.basemap, layers: QZF.layersOn().join(","),
        view: QZF.map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5),
        width: size.x, height: size.y
      });
    }
    var layer = document.getElementById("qzf-export-layer").value;
    return "/map/export." + kind + "?" + QZF.query({ layer: layer });
  }

  QZF.initFilters = function () {
    var form = document.getElementById("qzf-filters");
    if (!form) return;
    syncForm(form);
    FIELDS.forEach(function (k) {
      form.elements[k].addEventListener("change", function (e) {
        var change = {};
        change[k] = e.target.value;
        QZF.setFilters(change);
      });
    });
    var slider = document.getElementById("qzf-month");
    slider.addEventListener("input", function () {
      document.getElementById("qzf-month-label").textContent = monthLabel(monthDay(+slider.value));
    });
    slider.addEventListener("change", function () {
      QZF.setFilters({ as_of: monthDay(+slider.value) });
    });
    document.getElementById("qzf-reset").addEventListener("click", function () {
      var clear = {};
      FIELDS.forEach(function (k) { clear[k] = ""; });
      slider.value = 0;
      QZF.setFilters(clear);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    Array.prototype.forEach.call(form.querySelectorAll("[data-export]"), function (a) {
      a.addEventListener("click", function () { a.href = exportHref(a.dataset.export); });
      a.setAttribute("download", "");
    });
  };
})();
