/* Colours and marker styles (the legend shows the same classes). */
(function () {
  "use strict";
  var QZF = (window.QZF = window.QZF || {});
  var HEX_RAMP = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"];
  var HOTSPOT = {
    "hot-99": "#b2182b", "hot-95": "#ef8a62", "hot-90": "#fddbc7",
    "cold-90": "#d1e5f0", "cold-95": "#67a9cf", "cold-99": "#2166ac"
  };

  function colours() { return QZF.cfg.colours; }

  QZF.styles = {
    hexRamp: HEX_RAMP,
    unit: function (selected) {
      return { color: "#3b5b92", weight: selected ? 3 : 1.5, fillColor: "#3b5b92",
               fillOpacity: selected ? 0.08 : 0.02 };
    },
    keyArea: function (kind) {
      var c = colours().keyAreas[kind];
      return { color: c, weight: 1.5, dashArray: "4 3", fillColor: c, fillOpacity: 0.16 };
    },
    house: function (p) {
      return { radius: 5, weight: 1, color: "#ffffff", fillOpacity: 0.9,
               fillColor: p.open > 0 ? "#c0392b" : "#5b7db1" };
    },
    /* VectorGrid styles of the tile layers (city scale), per feature's properties. */
    tiles: {
      houses: function () {
        return { radius: 3, weight: 0.5, color: "#ffffff", fill: true, fillColor: "#c0392b",
                 fillOpacity: 0.85 };
      },
      hazards: function (p) {
        var s = QZF.styles.hazard(p.category_group, p.severity === "major", 1);
        s.radius = 4;
        s.fill = true;
        return s;
      },
      overdue: function (p) {
        var s = QZF.styles.overdue(p.days_overdue);
        s.fill = true;
        return s;
      },
      incidents: function () {
        return L.extend({ fill: true }, QZF.styles.incident);
      }
    },
    hazard: function (group, major, count) {
      return { radius: 4 + Math.min(count, 6), weight: major ? 2.5 : 1,
               color: major ? "#111111" : "#ffffff", fillColor: colours().groups[group],
               fillOpacity: 0.9 };
    },
    overdueClass: function (days) {
      var classes = colours().overdue;
      for (var i = 0; i < classes.length; i++) {
        if (classes[i][0] === null || days <= classes[i][0]) return i;
      }
      return classes.length - 1;
    },
    overdue: function (days) {
      var i = QZF.styles.overdueClass(days);
      return { radius: 5 + 2 * i, weight: 1, color: "#ffffff",
               fillColor: colours().overdue[i][1], fillOpacity: 0.9 };
    },
    /* `breaks`: ascending class limits (quantiles); class i = how many limits `value` exceeds. */
    hex: function (value, breaks) {
      var i = breaks.filter(function (b) { return value > b; }).length;
      return { color: "#7f2704", weight: 0.5, fillColor: HEX_RAMP[i], fillOpacity: 0.6 };
    },
    hotspot: function (cls) {
      return { color: "#555555", weight: 0.5, fillColor: HOTSPOT[cls] || "#cccccc",
               fillOpacity: HOTSPOT[cls] ? 0.6 : 0 };
    },
    incident: { radius: 4, weight: 1, color: "#ffffff", fillColor: "#34495e", fillOpacity: 0.85 },
    routeColours: ["#27ae60", "#2980b9", "#8e44ad", "#d35400", "#16a085", "#c0392b"]
  };
})();
