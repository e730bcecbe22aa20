/* Page start-up: wire folium's layers to their data, the controls and the URL. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var POINT_LAYERS = ["houses", "hazards", "overdue", "incidents", "routes"];
  var generation = 0; // bumps on every filter change; stale responses are dropped

  QZF.layersOn = function () {
    return Object.keys(QZF.layers).filter(function (k) { return QZF.map.hasLayer(QZF.layers[k]); });
  };

  /** Fill overlay `key` from its source with the current filters. */
  QZF.draw = function (key) {
    var layer = QZF.layers[key], r = QZF.render[key];
    if (!layer || !r) return Promise.resolve();
    var extra = r.params ? r.params() : {};
    if (QZF.cfg.tileLayers.indexOf(key) >= 0) return QZF.drawTiles(key, layer, extra);
    if (extra === null) { // the filters leave nothing for this overlay to draw
      if (layer.clearLayers) layer.clearLayers(); else if (layer.setLatLngs) layer.setLatLngs([]);
      QZF.counts[key] = 0;
      QZF.showCounts();
      return Promise.resolve();
    }
    var url = QZF.sourceUrl(r.source, extra);
    if (!url) return Promise.resolve();
    var gen = generation;
    QZF.busy();
    return QZF.fetchJSON(url).then(function (data) {
      if (gen !== generation) return;
      layer.clearLayers ? layer.clearLayers() : null;
      QZF.counts[key] = r.render(layer, data);
      if (POINT_LAYERS.indexOf(key) < 0) raisePoints();
      QZF.showCounts();
    }).catch(function () {}).finally(QZF.done);
  };

  /* Points are drawn on the same canvas as the areas; keep them on top so they stay clickable. */
  function raisePoints() {
    POINT_LAYERS.forEach(function (k) {
      var l = QZF.layers[k];
      if (l && l.eachLayer && k !== "houses" && QZF.map.hasLayer(l)) {
        l.eachLayer(function (m) { if (m.bringToFront) m.bringToFront(); });
      }
    });
    // Of the houses, those the cluster group shows one by one (its cluster icons are above the
    // canvas anyway): far fewer than all of them, and re-making the icons would not reorder it.
    var houses = QZF.layers.houses;
    if (houses && houses._featureGroup && QZF.map.hasLayer(houses)) {
      houses._featureGroup.eachLayer(function (m) { if (m.bringToFront) m.bringToFront(); });
    }
  }

  /** City scale: an overlay as vector tiles, the URL carrying the filters it accepts
   *  (`extra` null: the filters leave it nothing to draw, so it is hidden). */
  QZF.drawTiles = function (key, layer, extra) {
    layer.setOpacity(extra === null ? 0 : 1);
    if (extra !== null) {
      delete extra.status; // a tile layer takes the status through the filters it accepts
      var url = QZF.sourceUrl(key + "_tiles", extra);
      if (url.indexOf("?") < 0) url += "?";
      if (layer._url !== url) layer.setUrl(url, false);
    }
    QZF.counts[key] = null;
    return Promise.resolve();
  };

  /** Redraw every overlay that is on (after a filter or base-map change). */
  QZF.reload = function () {
    generation += 1;
    QZF.clearCache();
    QZF.layersOn().forEach(QZF.draw);
    if (QZF.refreshDashboard) QZF.afterFirstDraw(QZF.refreshDashboard);
    QZF.writeUrl();
  };

  QZF.showCounts = function () {
    var parts = [];
    var names = { houses: "房屋", hazards: "隐患", overdue: "逾期", incidents: "警情" };
    Object.keys(names).forEach(function (k) {
      if (QZF.counts[k] !== undefined && QZF.counts[k] !== null && QZF.map.hasLayer(QZF.layers[k])) {
        parts.push(names[k] + " " + QZF.counts[k]);
      }
    });
    var el = document.getElementById("qzf-count");
    if (el) el.textContent = parts.join(" · ");
  };

  /* Tile layers count as busy while their tiles load (the "fully drawn" signal waits). */
  function trackTiles(layer) {
    var loading = !!layer._loading; // folium added it to the map before start(): may be loading
    if (loading) QZF.busy();
    layer.on("loading", function () { if (!loading) { loading = true; QZF.busy(); } });
    layer.on("load", function () { if (loading) { loading = false; QZF.done(); } });
    layer.on("remove", function () { if (loading) { loading = false; QZF.done(); } });
  }

  function setBasemap(key) {
    var gcj = QZF.cfg.basemapCrs[key] === "GCJ02";
    QZF.state.basemap = key;
    if (gcj !== QZF.state.gcj) {
      QZF.state.gcj = gcj;
      QZF.reload(); // every overlay is re-projected from the cached WGS84 data
      QZF.cfg.tileLayers.forEach(function (k) { if (QZF.layers[k]) QZF.layers[k].redraw(); });
    } else {
      QZF.writeUrl();
    }
  }

  function control(id, position) {
    var el = document.getElementById(id);
    if (!el) return;
    var C = L.Control.extend({ onAdd: function () { return el; } });
    new C({ position: position }).addTo(QZF.map);
    L.DomEvent.disableClickPropagation(el);
    L.DomEvent.disableScrollPropagation(el);
  }

  /* For the bulletin PNG: what the picture shows, in one line. */
  function printTitle() {
    var el = document.createElement("div");
    el.id = "qzf-print-title";
    el.className = "qzf-panel";
    var f = QZF.state.filters, parts = [];
    var form = document.getElementById("qzf-filters");
    ["unit_id", "key_area_kind", "category", "severity", "status"].forEach(function (k) {
      var opt = f[k] && form && form.elements[k].querySelector('option[value="' + f[k] + '"]');
      if (opt) parts.push(opt.textContent);
    });
    el.textContent = "群租房安全隐患地图 · 截至 " + (f.as_of || QZF.cfg.today) +
      (parts.length ? " · " + parts.join(" · ") : "");
    document.body.appendChild(el);
  }

  /** Ask for the data of the overlays `on` at load (keys) before folium builds the map, so the
   *  requests overlap Leaflet's start-up; draw() then finds them in the cache. Hexagons wait
   *  for the view, vector-tile layers fetch their own tiles. */
  QZF.prefetch = function (cfg, on) {
    QZF.cfg = cfg;
    QZF.state.filters = Object.assign({}, cfg.filters);
    var render = QZF.renderers();
    on.forEach(function (key) {
      var r = render[key];
      // hex and the API's heat are asked for the map's view, which does not exist yet
      if (!r || key === "hex" || (key === "heat" && cfg.sources.heat) ||
          cfg.tileLayers.indexOf(key) >= 0) return;
      var extra = r.params ? r.params() : {};
      var url = extra && QZF.sourceUrl(r.source, extra);
      if (url) QZF.fetchJSON(url, true).catch(function () {}); // draw() reports a failure
    });
  };

  QZF.start = function (refs, cfg) {
    QZF.cfg = cfg;
    QZF.map = refs.map;
    QZF.control = refs.control;
    QZF.layers = refs.layers;
    QZF.basemaps = refs.basemaps;
    QZF.render = QZF.renderers();
    QZF.state.filters = Object.assign({}, cfg.filters);
    QZF.state.basemap = cfg.basemap;
    QZF.state.gcj = cfg.basemapCrs[cfg.basemap] === "GCJ02";
    QZF.busy(); // until the first draw has been asked for

    // The view (the link's, else the units' extent) was set before the layers (page.py).
    Object.keys(refs.basemaps).forEach(function (k) {
      var b = refs.basemaps[k];
      if (b.on && b.redraw) trackTiles(b);
    });
    if (cfg.tileLayers.length) QZF.fixVectorGridEvents();
    cfg.tileLayers.forEach(function (key) {
      var layer = QZF.layers[key];
      if (!layer) return; // e.g. incidents for a viewer who may not see them
      trackTiles(layer);
      QZF.enableTileShift(layer);
      layer.on("click", function (e) {
        var p = e.layer.properties;
        if (key === "houses") QZF.openHouse(p.fid, null, e.latlng);
        else if (key === "incidents") L.popup().setLatLng(e.latlng).setContent(QZF.incidentHtml(p)).openOn(QZF.map);
        else QZF.openHouse(p.house_id, null, e.latlng, [p.fid]);
      });
    });
    document.body.classList.toggle("qzf-print", !!cfg.print);
    if (cfg.print) printTitle();
    control("qzf-filters", "topleft");
    control("qzf-dashboard", "bottomright");
    control("qzf-legend", "bottomleft");
    if (QZF.initSheet) QZF.initSheet();
    if (QZF.initFilters) QZF.initFilters();
    if (QZF.initDashboard) QZF.afterFirstDraw(QZF.initDashboard);

    QZF.map.on("overlayadd", function (e) {
      var key = Object.keys(QZF.layers).find(function (k) { return QZF.layers[k] === e.layer; });
      if (key) QZF.draw(key);
      QZF.writeUrl();
    });
    QZF.map.on("overlayremove", QZF.writeUrl);
    QZF.map.on("moveend", QZF.writeUrl);
    QZF.map.on("moveend", function () { // hexagons are sized for the zoom and the view
      var hex = QZF.layers.hex, seen = QZF.hexView;
      if (!hex || !QZF.map.hasLayer(hex)) return;
      if (seen && seen.zoom === QZF.map.getZoom() && seen.bounds.contains(QZF.map.getBounds())) return;
      QZF.draw("hex");
    });
    QZF.map.on("moveend", function () { // so is the heat, when the API grids it
      var heat = QZF.layers.heat, seen = QZF.heatView;
      if (!heat || !seen || !QZF.map.hasLayer(heat)) return;
      if (seen.zoom === QZF.map.getZoom() && seen.bounds.contains(QZF.map.getBounds())) return;
      QZF.draw("heat");
    });
    QZF.map.on("baselayerchange", function (e) {
      var key = Object.keys(QZF.basemaps).find(function (k) { return QZF.basemaps[k] === e.layer; });
      if (key) setBasemap(key);
    });
    QZF.layersOn().forEach(QZF.draw);
    QZF.writeUrl();
    QZF.done();
  };
})();
