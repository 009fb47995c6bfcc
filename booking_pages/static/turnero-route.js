// The day's route on a map: reads the JSON the page carries (our CSP allows no inline
// script), draws each worker's stops as numbered vector circles joined in the suggested order.
// Without Leaflet or without a tile server the list beside it still says everything.
(function () {
  "use strict";
  function start() {
    var holder = document.getElementById("route-map");
    var source = document.getElementById("route-data");
    if (!holder || !source || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent || "{}");
    var map = L.map(holder, { scrollWheelZoom: false });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
    }
    var bounds = [];
    (data.routes || []).forEach(function (route) {
      var line = [];
      if (route.base) {
        line.push([route.base.lat, route.base.lng]);
        bounds.push([route.base.lat, route.base.lng]);
        L.circleMarker([route.base.lat, route.base.lng], {
          radius: 6, color: route.colour, fillColor: "#fff", fillOpacity: 1, weight: 3
        }).bindTooltip(route.name).addTo(map);
      }
      route.stops.forEach(function (stop) {
        line.push([stop.lat, stop.lng]);
        bounds.push([stop.lat, stop.lng]);
        L.circleMarker([stop.lat, stop.lng], {
          radius: 10, color: route.colour, fillColor: route.colour, fillOpacity: 0.85,
          weight: 2, className: "route-stop"
        }).bindTooltip(String(stop.n), { permanent: true, direction: "center", className: "stop-number" })
          .bindPopup(route.name + " — " + stop.label).addTo(map);
      });
      if (route.base) { line.push([route.base.lat, route.base.lng]); }
      if (line.length > 1) {
        L.polyline(line, { color: route.colour, weight: 3, opacity: 0.7 }).addTo(map);
      }
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 }); }
    else { map.setView([0, 0], 2); }
    document.querySelectorAll(".swatch[data-colour]").forEach(function (el) {
      el.style.background = el.getAttribute("data-colour");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
