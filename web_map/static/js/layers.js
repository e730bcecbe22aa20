/* Overlay renderers: each fetches its source with the current filters and refills its layer. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var S = function () { return QZF.styles; };
  QZF.counts = {}; // overlay key → features drawn (read by the tests and the status line)
  QZF.houseMarkers = {}; // house id → marker (cluster mode)

  function points(fc, fn) {
    return fc.features.filter(function (f) { return f.geometry; }).map(function (f) {
      var c = f.geometry.coordinates;
      return fn(f, QZF.ll(c[0], c[1]));
    });
  }

  /** Hazard features grouped per house: [{house, latlng, items}] (several hazards, one point). */
  function byHouse(fc, keep) {
    var groups = {}, order = [];
    fc.features.forEach(function (f) {
      if (!keep(f.properties)) return;
      var id = f.properties.house_id;
      if (!groups[id]) {
        var c = f.geometry.coordinates;
        groups[id] = { house: id, latlng: QZF.ll(c[0], c[1]), items: [] };
        order.push(id);
      }
      groups[id].items.push(f);
    });
    return order.map(function (id) { return groups[id]; });
  }

  function hazardMarkers(groups, style) {
    return groups.map(function (g) {
      var m = L.circleMarker(g.latlng, style(g));
      var ids = g.items.map(function (f) { return f.id; });
      m.on("click", function (e) { QZF.openHouse(g.house, m, e.latlng, ids); });
      return m;
    });
  }

  var R = {};

  R.units = function (layer, fc) {
    var selected = (QZF.state.filters.unit_id || "").split(",");
    L.geoJSON(fc, {
      coordsToLatLng: QZF.coordsToLatLng,
      style: function (f) { return S().unit(selected.indexOf(String(f.id)) >= 0); },
      onEachFeature: function (f, l) {
        var unit = { id: f.id, name: f.properties.name, kind: f.properties.kind };
        l.on("click", function (e) { QZF.openUnit(unit, e.latlng); });
        var at = QZF.ll(f.properties.label_lon, f.properties.label_lat);
        var name = L.marker(at, { icon: L.divIcon({ className: "qzf-unit-label",
          html: QZF.escape(unit.name), iconSize: null }), keyboard: false });
        name.on("click", function () { QZF.openUnit(unit, at); });
        layer.addLayer(name);
      }
    }).eachLayer(function (l) { layer.addLayer(l); });
    return fc.features.length;
  };

  function keyArea(kind) {
    return function (layer, fc) {
      var mine = fc.features.filter(function (f) { return f.properties.kind === kind; });
      L.geoJSON({ type: "FeatureCollection", features: mine }, {
        coordsToLatLng: QZF.coordsToLatLng,
        style: function () { return S().keyArea(kind); },
        onEachFeature: function (f, l) {
          l.bindTooltip(QZF.escape(QZF.cfg.keyAreaZh[kind] + "：" + f.properties.name), { sticky: true });
        }
      }).eachLayer(function (l) { layer.addLayer(l); });
      return mine.length;
    };
  }

  R.houses = function (layer, fc) {
    QZF.houseMarkers = {};
    var markers = points(fc, function (f, ll) {
      var m = L.circleMarker(ll, S().house(f.properties));
      m.houseId = f.id;
      m.wgs84 = f.geometry.coordinates;
      m.on("click", function (e) { QZF.openHouse(f.id, m, e.latlng); });
      QZF.houseMarkers[f.id] = m;
      return m;
    });
    if (layer._map) { // chunked adding: the map is not drawn until the last chunk is in
      QZF.busy();
      // (each addLayers call keeps the callback it started with)
      layer.options.chunkProgress = function (added, total) { if (added >= total) QZF.done(); };
    }
    layer.addLayers(markers, true); // true: no "layeradd" event per house (nobody listens)
    layer.options.chunkProgress = null;
    return markers.length;
  };

  R.hazards = function (layer, fc) {
    var groups = byHouse(fc, function () { return true; });
    hazardMarkers(groups, function (g) {
      var major = g.items.some(function (f) { return f.properties.severity === "major"; });
      var top = g.items.slice().sort(function (a, b) {
        return (a.properties.severity === "major" ? 0 : 1) - (b.properties.severity === "major" ? 0 : 1);
      })[0];
      var group = QZF.cfg.categories[top.properties.category].group;
      return S().hazard(group, major, g.items.length);
    }).forEach(function (m) { layer.addLayer(m); });
    return fc.features.length;
  };

  R.overdue = function (layer, fc) {
    var n = 0;
    var groups = byHouse(fc, function (p) { return p.status === "overdue"; });
    hazardMarkers(groups, function (g) {
      n += g.items.length;
      var worst = Math.max.apply(null, g.items.map(function (f) { return f.properties.days_overdue; }));
      return S().overdue(worst);
    }).forEach(function (m) { layer.addLayer(m); });
    return n;
  };

  /** Heat from the density API's weighted points ([lat, lon, weight]), or from the hazards
   *  still open (major 1, general 0.5). The scale tops out at the 95th percentile weight. */
  R.heat = function (layer, data) {
    var pts = [];
    if (data.points) {
      pts = data.points.map(function (p) { var ll = QZF.ll(p[1], p[0]); return [ll.lat, ll.lng, p[2]]; });
    } else {
      data.features.forEach(function (f) {
        if (f.properties.status === "rectified" || !f.geometry) return;
        var c = f.geometry.coordinates, ll = QZF.ll(c[0], c[1]);
        pts.push([ll.lat, ll.lng, f.properties.severity === "major" ? 1.0 : 0.5]);
      });
    }
    if (!layer._qzfUnscaled) { // leaflet.heat scales weights by 2^(zoom − maxZoom): not here
      var redraw = layer._redraw;
      layer._redraw = function () {
        var keep = this.options.maxZoom;
        this.options.maxZoom = 0;
        try { redraw.call(this); } finally { this.options.maxZoom = keep; }
      };
      layer._qzfUnscaled = true;
    }
    var w = pts.map(function (p) { return p[2]; }).sort(function (a, b) { return a - b; });
    layer.setOptions({ max: w.length ? 2 * w[Math.floor(0.95 * (w.length - 1))] : 1 });
    layer.setLatLngs(pts);
    return pts.length;
  };

  /** Hexagons coloured by quantile class of their count (one dense cell does not wash out the
   *  rest of the town). */
  R.hex = function (layer, fc) {
    var counts = fc.features.map(function (f) { return f.properties.count || 0; })
      .sort(function (a, b) { return a - b; });
    var breaks = [0.2, 0.4, 0.6, 0.8, 0.95].map(function (q) {
      return counts.length ? counts[Math.floor(q * (counts.length - 1))] : 0;
    });
    L.geoJSON(fc, {
      coordsToLatLng: QZF.coordsToLatLng,
      style: function (f) { return S().hex(f.properties.count || 0, breaks); },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip("隐患 " + (p.count || 0) + " 处" + (p.overdue !== undefined ?
          "（重大 " + p.major + "，未整改 " + (p.open + p.overdue) + "，逾期 " + p.overdue + "）" : ""));
      }
    }).eachLayer(function (l) { layer.addLayer(l); });
    return fc.features.length;
  };

  R.incidents = function (layer, fc) {
    var markers = points(fc, function (f, ll) {
      return L.circleMarker(ll, S().incident).bindPopup(QZF.incidentHtml(f.properties));
    });
    markers.forEach(function (m) { layer.addLayer(m); });
    return markers.length;
  };

  /** Gi* cells: class hot/cold with confidence 90/95/99 (cells without significance skipped). */
  R.hotspots = function (layer, fc) {
    var cls = function (p) { return p["class"] + "-" + p.confidence; };
    var hot = fc.features.filter(function (f) { return f.properties.confidence > 0; });
    L.geoJSON({ type: "FeatureCollection", features: hot }, {
      coordsToLatLng: QZF.coordsToLatLng,
      style: function (f) { return S().hotspot(cls(f.properties)); },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(QZF.escape(p.label_zh || cls(p)) + "，警情 " + (p.count || 0) + " 起");
      }
    }).eachLayer(function (l) { layer.addLayer(l); });
    return hot.length;
  };

  /** Patrol routes: one line per team, numbered stops (filled when the routes API exists). */
  R.routes = function (layer, fc) {
    var teams = {};
    L.geoJSON(fc, {
      coordsToLatLng: QZF.coordsToLatLng,
      filter: function (f) { return f.geometry && f.geometry.type !== "Point"; },
      style: function (f) {
        var t = f.properties.team;
        if (!(t in teams)) teams[t] = Object.keys(teams).length;
        return { color: S().routeColours[teams[t] % S().routeColours.length], weight: 4, opacity: 0.85 };
      }
    }).eachLayer(function (l) { layer.addLayer(l); });
    var stops = points({ features: fc.features.filter(function (f) {
      return f.geometry && f.geometry.type === "Point";
    }) }, function (f, ll) {
      return L.marker(ll, { icon: L.divIcon({ className: "qzf-stop", iconSize: [20, 20],
        html: String(f.properties.seq) }) }).bindTooltip(QZF.escape(
          (f.properties.team || "") + " 第" + f.properties.seq + "站 " + (f.properties.address || "")));
    });
    stops.forEach(function (m) { layer.addLayer(m); });
    return stops.length;
  };

  /** Statuses `wanted` that the status filter lets through (null: none, draw nothing). */
  function statuses(wanted) {
    var chosen = (QZF.state.filters.status || "").split(",").filter(Boolean);
    var keep = chosen.length ? wanted.filter(function (s) { return chosen.indexOf(s) >= 0; }) : wanted;
    return keep.length ? { status: keep.join(",") } : null;
  }

  /** Overlay key → {source, render, params}: `params()` adds query parameters (null: skip). */
  QZF.renderers = function () {
    var out = {
      units: { source: "units", render: R.units },
      houses: { source: "houses", render: R.houses },
      hazards: { source: "hazards", render: R.hazards },
      // Only what they draw: overdue items, and for the heat map the hazards still open.
      overdue: { source: "hazards", render: R.overdue,
                 params: function () { return statuses(["overdue"]); } },
      // The API sums the heat per cell of a few pixels at the zoom, for the view and a margin
      // (redrawn on a move, as the hexagons): bounded by the screen, not the town's houses.
      heat: QZF.cfg.sources.heat ? { source: "heat", render: R.heat, params: function () {
        QZF.heatView = { zoom: QZF.map.getZoom(), bounds: QZF.map.getBounds().pad(0.25) };
        return { zoom: QZF.map.getZoom(), bbox: QZF.viewBbox(0.25) };
      } }
        : { source: "hazards", render: R.heat,
            params: function () { return statuses(["open", "overdue"]); } },
      // Hexagons sized for the zoom, for the view and a margin around it (redrawn on a move).
      hex: { source: "hex", render: R.hex, params: function () {
        QZF.hexView = { zoom: QZF.map.getZoom(), bounds: QZF.map.getBounds().pad(0.25) };
        return { zoom: QZF.map.getZoom(), bbox: QZF.viewBbox(0.25) };
      } },
      incidents: { source: "incidents", render: R.incidents },
      hotspots: { source: "hotspots", render: R.hotspots },
      routes: { source: "routes", render: R.routes }
    };
    Object.keys(QZF.cfg.keyAreaZh).forEach(function (kind) {
      out["ka_" + kind] = { source: "key_areas", render: keyArea(kind) };
    });
    return out;
  };
})();
