/* WGS84 → GCJ-02 (火星坐标) for drawing on the Amap basemap: the public forward formula, the
 * same numbers as geo_service/crs.py (the browser test compares the two). */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var PI = Math.PI, A = 6378245.0, EE = 0.00669342162296594323;

  function outOfChina(lng, lat) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function dLat(x, y) {
    return -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
  }

  function dLng(x, y) {
    return 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
  }

  /** [lng, lat] in WGS84 → [lng, lat] in GCJ-02 (unchanged outside China). */
  function fromWgs84(lng, lat) {
    if (outOfChina(lng, lat)) return [lng, lat];
    var x = lng - 105.0, y = lat - 35.0;
    var radLat = lat / 180.0 * PI;
    var magic = 1.0 - EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    var la = (dLat(x, y) * 180.0) / ((A * (1.0 - EE)) / (magic * sqrtMagic) * PI);
    var lo = (dLng(x, y) * 180.0) / (A / sqrtMagic * Math.cos(radLat) * PI);
    return [lng + lo, lat + la];
  }

  QZF.gcj02 = { fromWgs84: fromWgs84 };
})();
