/* Vector-tile layers (Leaflet.VectorGrid): a fix for clicks, and the GCJ-02 shift of tiles. */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});

  /* VectorGrid 1.3 was written for Leaflet 1.7: it calls L.DomEvent.fakeStop (gone in 1.8),
     and a clicked point symbolizer has getLatLng() but no LatLng, so Leaflet 1.9's event
     dispatch throws. Mark the event handled as 1.9 does, and fire it with the mouse position;
     it propagates to the vector-grid layer with `e.layer` = the feature. */
  QZF.fixVectorGridEvents = function () {
    if (!L.Canvas.Tile || L.Canvas.Tile.prototype._qzfFixed) return;
    if (!L.DomEvent.fakeStop) L.DomEvent.fakeStop = function (e) { e._stopped = true; };
    L.Canvas.Tile.prototype._fireEvent = function (layers, e, type) {
      var map = this._map;
      if (!map) return;
      var data = {
        originalEvent: e,
        containerPoint: map.mouseEventToContainerPoint(e),
        layerPoint: map.mouseEventToLayerPoint(e),
        latlng: map.mouseEventToLatLng(e)
      };
      layers.forEach(function (l) { l.fire(type || e.type, L.extend({}, data), true); });
    };
    L.Canvas.Tile.prototype._qzfFixed = true;
  };

  /* On a GCJ-02 base map, vector tiles (WGS84) are moved by the shift at each tile's centre:
     the shift varies by well under a pixel across one tile at any zoom. */
  QZF.enableTileShift = function (layer) {
    var base = layer._getTilePos;
    layer._getTilePos = function (coords) {
      var pos = base.call(this, coords);
      if (!QZF.state.gcj) return pos;
      var size = this.getTileSize();
      var centre = this._map.unproject(coords.scaleBy(size).add(size.divideBy(2)), coords.z);
      var g = QZF.gcj02.fromWgs84(centre.lng, centre.lat);
      var shifted = this._map.project(L.latLng(g[1], g[0]), coords.z);
      return pos.add(shifted.subtract(this._map.project(centre, coords.z)).round());
    };
  };
})();
