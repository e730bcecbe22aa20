/* The phone layout: below ~768 px (or on a short landscape screen) the filters, the layer list,
 * the legend and the dashboard leave the map's corners for one bottom sheet with tabs, closed
 * by default, one panel at a time. The same elements move (nothing is built twice), so the
 * filters, the layer switches and the URL behave the same on both layouts. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var PHONE_QUERY = "(max-width: 767px), (max-height: 480px)";
  var TITLES = { filters: "筛选 Filters", layers: "图层 Layers", legend: "图例 Legend",
                 dashboard: "态势 Dashboard" };
  var panels = {}; // tab key → its element
  var homes = {}; // tab key → a marker where the element sits on the desktop layout
  var open = null; // the tab whose panel is shown, or null

  QZF.phone = false;

  function byId(id) { return document.getElementById(id); }

  function tabs() { return Array.prototype.slice.call(document.querySelectorAll("#qzf-tabs [role=tab]")); }

  /** Show the panel of tab `key` (null closes the sheet). */
  QZF.openPanel = function (key) {
    open = key && panels[key] ? key : null;
    var sheet = byId("qzf-sheet");
    Object.keys(panels).forEach(function (k) { panels[k].hidden = k !== open; });
    tabs().forEach(function (t) {
      var on = t.dataset.panel === open;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.setAttribute("aria-expanded", on ? "true" : "false");
    });
    sheet.hidden = !open;
    if (open) {
      byId("qzf-sheet-title").textContent = TITLES[open];
      byId("qzf-sheet-body").scrollTop = 0;
    }
  };

  /** Move the panels into the sheet (phone) or back to the map's corners (desktop). */
  function layout(phone) {
    QZF.phone = phone;
    document.documentElement.classList.toggle("qzf-phone", phone);
    var body = byId("qzf-sheet-body");
    Object.keys(panels).forEach(function (k) {
      var el = panels[k];
      if (phone) {
        if (!homes[k]) {
          homes[k] = document.createComment("qzf-home:" + k);
          el.parentNode.insertBefore(homes[k], el);
        }
        body.appendChild(el);
      } else if (homes[k]) {
        homes[k].parentNode.insertBefore(el, homes[k]);
        el.hidden = false;
      }
    });
    if (phone) QZF.openPanel(null);
    else byId("qzf-sheet").hidden = true;
  }

  /** How many filters narrow the map (shown on the filters tab while the sheet is closed). */
  QZF.showFilterCount = function () {
    var badge = document.querySelector("#qzf-tabs .qzf-badge-count");
    if (!badge) return;
    var n = Object.keys(QZF.state.filters).filter(function (k) { return QZF.state.filters[k]; }).length;
    badge.textContent = n ? String(n) : "";
    badge.hidden = !n;
  };

  /** Popup size limits: on a phone the popup fits the screen and scrolls inside. */
  QZF.popupOptions = function (maxWidth, maxHeight) {
    if (!QZF.phone) return { maxWidth: maxWidth, maxHeight: maxHeight };
    var size = QZF.map.getSize();
    var banner = byId("synthetic-banner");
    var top = banner ? banner.getBoundingClientRect().bottom + 8 : 8;
    var tabs = byId("qzf-tabs").getBoundingClientRect().height;
    // Content + the popup's own frame (margins 44 px wide, ~60 px high with the tip).
    return {
      maxWidth: Math.min(maxWidth, size.x - 64),
      maxHeight: Math.min(maxHeight, Math.round((size.y - tabs - top) * 0.7)),
      autoPanPaddingTopLeft: [8, top],
      autoPanPaddingBottomRight: [8, tabs + 8]
    };
  };

  QZF.initSheet = function () {
    var sheet = byId("qzf-sheet");
    if (!sheet || QZF.cfg.print) return;
    panels = {
      filters: byId("qzf-filters"),
      layers: QZF.control.getContainer(),
      legend: byId("qzf-legend"),
      dashboard: byId("qzf-dashboard")
    };
    Object.keys(panels).forEach(function (k) { if (!panels[k]) delete panels[k]; });
    tabs().forEach(function (t) {
      if (!panels[t.dataset.panel]) { t.hidden = true; return; }
      t.addEventListener("click", function () {
        QZF.openPanel(open === t.dataset.panel ? null : t.dataset.panel);
      });
    });
    byId("qzf-sheet-close").addEventListener("click", function () { QZF.openPanel(null); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && open) QZF.openPanel(null);
    });
    // The map wants the screen back: a tap on it, or a popup opening, closes the sheet.
    QZF.map.on("click popupopen", function () { if (QZF.phone && open) QZF.openPanel(null); });
    var media = window.matchMedia(PHONE_QUERY);
    if (media.matches) layout(true);
    media.addEventListener("change", function (e) { layout(e.matches); });
    QZF.showFilterCount();
  };
})();
