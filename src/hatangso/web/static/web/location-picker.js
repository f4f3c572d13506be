// A click on the map fills the latitude and longitude fields; typing in them moves the marker.
// The fields stay usable without the map (keyboard, no JavaScript, no shapes loaded).
(function () {
  "use strict";
  var box = document.getElementById("location-map");
  if (!box || !window.L) { return; }
  var lat = document.getElementById(box.dataset.lat);
  var lon = document.getElementById(box.dataset.lon);
  var map = L.map(box, { attributionControl: Boolean(box.dataset.tiles), zoomSnap: 0.25 });
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
  }
  map.setView([16.05, 107.9], 6);  // Vietnam, until the area's shapes arrive
  var marker = null;

  function place(latlng, fill) {
    if (marker) { marker.setLatLng(latlng); }
    else { marker = L.circleMarker(latlng, { radius: 8, color: "#a32020", weight: 3, fillOpacity: 0.6 }).addTo(map); }
    if (fill) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
    }
  }

  fetch(box.dataset.boundaries, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (shapes) {
      if (!shapes || !shapes.features.length) { return; }
      var layer = L.geoJSON(shapes, {
        style: { color: "#123a6b", weight: 1, fillColor: "#dce6f3", fillOpacity: 0.4 },
        onEachFeature: function (feature, shape) {
          shape.bindTooltip(feature.properties.name + (feature.properties.synthetic ? " *" : ""),
            { permanent: true, direction: "center", className: "map-label" });
          shape.on("click", function (event) { place(event.latlng, true); });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    })
    .catch(function () { /* the map stays empty; the fields still work */ });

  map.on("click", function (event) { place(event.latlng, true); });
  function fromFields() {
    var y = parseFloat(lat.value), x = parseFloat(lon.value);
    if (isFinite(y) && isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180) { place(L.latLng(y, x), false); }
  }
  lat.addEventListener("change", fromFields);
  lon.addEventListener("change", fromFields);
  fromFields();
})();
