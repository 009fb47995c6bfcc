// The client's pin on the booking form's map (at-address services): tapping the map drops it,
// dragging moves it, and it fills the hidden latitude/longitude inputs the form sends. Our CSP
// allows no inline script, so the page carries its data as JSON. The map is shown only once a
// tile has loaded: without this script, Leaflet or a reachable tile server, the zone list does
// the job alone.
(function () {
  "use strict";

  // The slippy-map tile holding a point (the OpenStreetMap wiki's "Slippy map tilenames").
  function tileUrl(template, lat, lng, z) {
    var n = Math.pow(2, z);
    var rad = lat * Math.PI / 180;
    var x = Math.floor((lng + 180) / 360 * n);
    var y = Math.floor((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * n);
    return template.replace("{s}", "a").replace("{z}", String(z)).replace("{x}", String(x))
      .replace("{y}", String(y)).replace("{r}", "");
  }

  function show(data, parts) {
    var zoneSelect = document.getElementById("zone");
    var wasRequired = zoneSelect ? zoneSelect.required : false;
    parts.box.hidden = false;
    var map = L.map(parts.holder, { scrollWheelZoom: false });
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
    var style = { color: "#0b5cad", weight: 2, fillOpacity: 0.08, interactive: false };
    var shapes = {};  // zone id -> its bounds, to show the zone picked
    var bounds = L.latLngBounds([]);
    (data.zones || []).forEach(function (zone) {
      var shape = zone.polygon ? L.polygon(zone.polygon, style)
        : L.circle(zone.centre, L.extend({ radius: zone.radius_m }, style));
      // A circle knows its bounds only once the map has a view: worked out from the centre.
      var area = zone.polygon ? L.latLngBounds(zone.polygon)
        : L.latLng(zone.centre).toBounds(zone.radius_m * 2);
      shape.addTo(map);
      shapes[zone.id] = area;
      bounds.extend(area);
    });
    if (data.base) { bounds.extend(data.base); }
    var marker = null;
    var icon = L.divIcon({ className: "pin-marker", iconSize: [30, 30], iconAnchor: [15, 30] });

    function fill(latlng) {
      var point = latlng.wrap();
      parts.lat.value = point.lat.toFixed(6);
      parts.lng.value = point.lng.toFixed(6);
      parts.status.textContent = parts.status.getAttribute("data-set") || "";
      parts.clear.hidden = false;
      if (zoneSelect) { zoneSelect.required = false; }  // the pin says where; the zone is optional
    }

    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); }
      else {
        marker = L.marker(latlng, {
          draggable: true, icon: icon, title: parts.holder.getAttribute("data-marker") || ""
        }).addTo(map);
        marker.on("dragend", function () { fill(marker.getLatLng()); });
      }
      fill(marker.getLatLng());
    }

    map.on("click", function (event) { place(event.latlng); });
    parts.clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      parts.lat.value = "";
      parts.lng.value = "";
      parts.status.textContent = "";
      parts.clear.hidden = true;
      if (zoneSelect) { zoneSelect.required = wasRequired; }
    });
    if (zoneSelect) {
      zoneSelect.addEventListener("change", function () {
        var area = shapes[zoneSelect.value];
        if (area && !marker) { map.fitBounds(area, { padding: [16, 16] }); }
      });
    }
    if (data.pin) {
      map.setView(data.pin, 16);
      place(L.latLng(data.pin[0], data.pin[1]));
    } else if (zoneSelect && shapes[zoneSelect.value]) {  // the zone picked before the times
      map.fitBounds(shapes[zoneSelect.value], { padding: [16, 16] });
    } else if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
    } else {
      map.setView(data.base, 13);
    }
  }

  function start() {
    var parts = {
      box: document.getElementById("pin-box"),
      holder: document.getElementById("pin-map"),
      status: document.getElementById("pin-status"),
      clear: document.getElementById("pin-clear"),
      lat: document.getElementById("latitude"),
      lng: document.getElementById("longitude")
    };
    var source = document.getElementById("pin-data");
    if (!source || !parts.box || !parts.holder || !parts.lat || !parts.lng) { return; }
    if (typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent || "{}");
    var first = data.zones && data.zones.length ? data.zones[0] : null;
    var centre = data.pin || data.base || (first && (first.centre || first.polygon[0]));
    if (!data.tiles || !centre) { return; }
    // Tiles unreachable (offline, blocked): the probe fails and the map stays hidden.
    var probe = new Image();
    probe.onload = function () { show(data, parts); };
    probe.src = tileUrl(data.tiles, centre[0], centre[1], 13);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
