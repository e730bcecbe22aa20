/* 群租房 map: shared state, the URL, data fetching and the "fully drawn" signal. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  QZF.state = { filters: {}, basemap: "none", gcj: false };
  var cache = {}; // url → Promise of JSON
  var busy = 0;
  var everReady = false;
  var waiting = []; // called once the map is first fully drawn

  /** Run `fn` once the map is first fully drawn (side panels wait, not to slow the map). */
  QZF.afterFirstDraw = function (fn) {
    if (everReady) fn(); else waiting.push(fn);
  };

  /** Query string of the current filters plus `extra` (object). */
  QZF.query = function (extra) {
    var p = new URLSearchParams();
    var all = Object.assign({}, QZF.state.filters, extra || {});
    Object.keys(all).forEach(function (k) {
      if (all[k] !== undefined && all[k] !== null && all[k] !== "") p.set(k, all[k]);
    });
    return p.toString();
  };

  /** The URL of data source `key` with the current filters (null when not served); a source
   *  of another module gets only the filters it accepts, plus its fixed parameters. */
  QZF.sourceUrl = function (key, extra) {
    var url = QZF.cfg.sources[key];
    if (!url) return null;
    var accepts = QZF.cfg.accepts[key];
    var all = Object.assign({}, QZF.state.filters, extra || {});
    var p = new URLSearchParams();
    Object.keys(all).forEach(function (k) {
      if (all[k] && (!accepts || accepts.indexOf(k) >= 0 || (extra && k in extra))) p.set(k, all[k]);
    });
    var fixed = QZF.cfg.fixed[key] || {};
    Object.keys(fixed).forEach(function (k) { p.set(k, fixed[k]); });
    var q = p.toString();
    return q ? url + (url.indexOf("?") < 0 ? "?" : "&") + q : url;
  };

  QZF.busy = function () {
    busy += 1;
    document.documentElement.dataset.ready = "0";
  };

  QZF.done = function () {
    busy -= 1;
    if (busy > 0) return;
    // Let the renderers paint (markers, heat canvas) before saying the map is drawn.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        if (busy > 0) return;
        document.documentElement.dataset.ready = "1";
        if (!everReady) {
          everReady = true;
          QZF.readyAt = performance.now();
          waiting.splice(0).forEach(function (fn) { fn(); });
        }
      });
    });
  };

  /** GET JSON (cached per URL and filter state); failures are shown in the status line.
   *  `side`: a side panel's data, not part of the map (the "fully drawn" signal ignores it). */
  QZF.fetchJSON = function (url, side) {
    if (!cache[url]) {
      if (!side) QZF.busy();
      cache[url] = fetch(url, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) {
            return r.json().catch(function () { return {}; }).then(function (body) {
              throw new Error((body && body.detail) || r.status + " " + r.statusText);
            });
          }
          return r.json();
        })
        .catch(function (err) {
          delete cache[url];
          QZF.status("数据加载失败 " + url.split("?")[0] + "：" + err.message);
          throw err;
        })
        .finally(side ? function () {} : QZF.done);
    }
    return cache[url];
  };

  QZF.clearCache = function () { cache = {}; };

  /** One line of status (errors, counts) under the filter panel. */
  QZF.status = function (text) {
    var el = document.getElementById("qzf-status");
    if (el) el.textContent = text;
  };

  /** WGS84 lon/lat → the LatLng to draw (shifted to GCJ-02 on the Amap basemap). */
  QZF.ll = function (lng, lat) {
    if (QZF.state.gcj) {
      var g = QZF.gcj02.fromWgs84(lng, lat);
      return L.latLng(g[1], g[0]);
    }
    return L.latLng(lat, lng);
  };
  QZF.coordsToLatLng = function (c) { return QZF.ll(c[0], c[1]); };

  /** Keep filters, base map, overlays and view in the address bar (a shareable link). */
  QZF.writeUrl = function () {
    var extra = { layers: QZF.layersOn().join(","), house_mode: QZF.cfg.houseModeAsked };
    if (QZF.state.basemap !== QZF.cfg.basemap || /[?&]basemap=/.test(location.search)) {
      extra.basemap = QZF.state.basemap;
    }
    var c = QZF.map.getCenter();
    var hash = "#" + QZF.map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    history.replaceState(null, "", location.pathname + "?" + QZF.query(extra) + hash);
  };

  /** The view in the hash (#zoom/lat/lng), if any. */
  QZF.hashView = function () {
    var m = /^#(\d+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(location.hash);
    return m ? { zoom: +m[1], center: [+m[2], +m[3]] } : null;
  };

  /** The view's bounds grown by `margin` (a fraction), as "west,south,east,north" rounded so
   *  small moves reuse the same request. */
  QZF.viewBbox = function (margin) {
    var b = QZF.map.getBounds().pad(margin || 0);
    var r = function (v) { return v.toFixed(3); };
    return [r(b.getWest()), r(b.getSouth()), r(b.getEast()), r(b.getNorth())].join(",");
  };

  QZF.escape = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  };
})();
