// Facility map: Leaflet over embedded country shapes (offline). Tiles only
// when the operator configured a tile URL (data-tiles).
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    var map = L.map(el, { preferCanvas: false, attributionControl: true }).setView([40.0, 127.0], 6);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: "tiles: operator-configured" }).addTo(map);
    }
    var get = function (url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    };
    get(el.dataset.geo).then(function (geo) {
      L.geoJSON(geo, {
        style: function (f) {
          var nk = f.properties && f.properties.name === "North Korea";
          return { color: "#666", weight: 1, fillColor: nk ? "#f3e3c3" : "#e8e8e8", fillOpacity: el.dataset.tiles ? 0.2 : 1 };
        },
        interactive: false,
      }).addTo(map);
    }).catch(function (e) { console.warn(e); });
    get(el.dataset.facilities).then(function (data) {
      var items = data.items || [data];
      var pts = [];
      items.forEach(function (f) {
        if (f.lat == null || f.lon == null) return;
        var m = L.circleMarker([f.lat, f.lon], { radius: 7, color: "#8b0000", weight: 2, fillColor: "#d33", fillOpacity: 0.8, className: "facility-marker" });
        var a = document.createElement("a");
        a.href = "/facilities/" + f.id;
        a.textContent = f.name_en + (f.name_ko ? " · " + f.name_ko : "");
        m.bindPopup(a);
        m.bindTooltip(f.name_en);
        m.addTo(map);
        pts.push([f.lat, f.lon]);
      });
      el.dataset.markers = String(pts.length);
      if (pts.length === 1 || el.dataset.single) {
        if (pts.length) map.setView(pts[0], 8);
      } else if (pts.length > 1) {
        map.fitBounds(pts, { padding: [20, 20], maxZoom: 9 });
      }
    }).catch(function (e) { console.warn(e); el.dataset.markers = "error"; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
