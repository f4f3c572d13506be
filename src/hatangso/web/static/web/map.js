// The map page and the public page: Leaflet (from django-leaflet, served by the app) draws the
// app's own GeoJSON layers; a tile server is optional (data-tiles). Popups are built from text
// nodes, never HTML strings. Without JavaScript the page's table shows the same values.
(function () {
  "use strict";
  var select = document.querySelector("select[data-autosubmit]");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
  var box = document.getElementById("area-map");
  if (!box || !window.L) { return; }
  var data = box.dataset;
  var map = L.map(box, { attributionControl: Boolean(data.tiles), zoomSnap: 0.25 });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
  }
  map.setView([16.05, 107.9], 6);
  // The layer list folds into its button (it covered the map and the zoom buttons on a phone).
  var control = L.control.layers(null, {}, { collapsed: true, sortLayers: true,
    sortFunction: function (a, b) { return a.options.order - b.options.order; } }).addTo(map);
  var communes = null;

  function popup(title, rows) {
    var root = document.createElement("div");
    root.className = "map-popup";
    var head = document.createElement("strong");
    head.textContent = title;
    root.appendChild(head);
    var list = document.createElement("dl");
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      var dt = document.createElement("dt"); dt.textContent = row[0];
      var dd = document.createElement("dd"); dd.textContent = String(row[1]);
      list.appendChild(dt); list.appendChild(dd);
    });
    root.appendChild(list);
    return root;
  }

  function number(value) {
    return value === null || value === undefined ? data.textNodata
      : value.toLocaleString("vi-VN", { maximumFractionDigits: 1 });
  }

  function load(url, build, label, show, order) {
    if (!url) { return; }
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) {
        if (!collection) { return; }
        var layer = build(collection);
        layer.options.order = order;
        control.addOverlay(layer, label + " (" + collection.features.length + ")");
        if (show) { layer.addTo(map); }
        if (order === 0 && collection.features.length) {  // the area fills the frame
          map.fitBounds(layer.getBounds(), { padding: [8, 8] });
          showLabels();
        }
        reorder();
      })
      .catch(function () { /* a layer that fails to load is left out; the table still shows the values */ });
  }

  var drawn = [];
  function reorder() {  // communes at the bottom, coverage above them, points on top
    map.eachLayer(function (layer) {
      if (layer.options && layer.options.order !== undefined && drawn.indexOf(layer) < 0) { drawn.push(layer); }
    });
    drawn.sort(function (a, b) { return a.options.order - b.options.order; });
    drawn.forEach(function (layer) { if (map.hasLayer(layer) && layer.bringToFront) { layer.bringToFront(); } });
  }
  map.on("overlayadd", reorder);

  // A commune's name and value only where its shape is wide enough to hold them: zoomed out on a
  // phone the labels would pile up on each other. They sit in their own pane, above the markers.
  map.createPane("labels").style.zIndex = 660;
  function showLabels() {
    if (!communes) { return; }
    communes.eachLayer(function (shape) {
      var bounds = shape.getBounds();
      var width = map.latLngToContainerPoint(bounds.getNorthEast()).x - map.latLngToContainerPoint(bounds.getSouthWest()).x;
      if (width >= 70 && map.hasLayer(communes)) { shape.openTooltip(); } else { shape.closeTooltip(); }
    });
  }
  map.on("zoomend overlayadd", showLabels);
  // Under the coverage layer the communes keep their outline only, so the speed colours read true.
  map.on("overlayadd overlayremove", function (event) {
    if (communes && event.layer.options.order === 1) {
      communes.setStyle({ fillOpacity: event.type === "overlayadd" ? 0.05 : 0.55 });
    }
  });

  load(data.communes, function (collection) {
    communes = L.geoJSON(collection, {
      style: function (feature) {
        var p = feature.properties;
        return { color: "#123a6b", weight: 1.2, fillColor: p.colour, fillOpacity: 0.55,
                 className: p.status === "no_data" ? "no-data" : "" };
      },
      onEachFeature: function (feature, shape) {
        var p = feature.properties;
        shape.bindTooltip(p.name + (p.synthetic ? " *" : "") + ": " + number(p.value),
          { permanent: true, direction: "center", className: "map-label", pane: "labels" });
        shape.bindPopup(popup(p.name + (p.synthetic ? " *" : ""),
          [[collection.properties ? collection.properties.name : "", number(p.value)], ["", p.status_label || ""]]));
      }
    });
    if (collection.outlines && collection.outlines.features.length) { drawOutlines(collection.outlines); }
    return communes;
  }, data.labelCommunes, true, 0);

  // Real province and district outlines as lines over the coverage, under the points; their
  // sources are credited in the map's attribution (as text: a source is never read as HTML).
  function drawOutlines(outlines) {
    var sources = [];
    outlines.features.forEach(function (feature) {
      var source = feature.properties.source;
      if (source && !feature.properties.synthetic && sources.indexOf(source) < 0) { sources.push(source); }
    });
    var credit = document.createElement("span");
    credit.textContent = sources.join("; ");
    var layer = L.geoJSON(outlines, { interactive: false, attribution: credit.innerHTML,
      style: function (feature) {
        var province = feature.properties.level === "province";
        return { color: "#5b2a86", weight: province ? 3 : 2, dashArray: province ? null : "6 4", fill: false };
      } });
    layer.options.order = 1.5;
    if (data.labelOutlines) { control.addOverlay(layer, data.labelOutlines + " (" + outlines.features.length + ")"); }
    layer.addTo(map);
    if (sources.length && !map.attributionControl) { L.control.attribution({ prefix: false }).addTo(map); }
    reorder();
  }

  load(data.coverage, function (collection) {
    return L.geoJSON(collection, {
      style: function (feature) {
        return { stroke: false, fillColor: feature.properties.colour, fillOpacity: 0.55 };
      },
      onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.label, { sticky: true }); }
    });
  }, data.labelCoverage, false, 1);

  load(data.sites, function (collection) {
    return L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        var shared = feature.properties.shared;
        return L.circleMarker(latlng, { radius: shared ? 8 : 5, color: "#fff", weight: 2,
          fillColor: shared ? "#6a1b9a" : "#4f6d8f", fillOpacity: 0.95 });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        marker.bindPopup(popup(p.code + (p.shared ? " · " + data.textShared : ""),
          [[data.textOperators, p.operators.join(", ")], ["", p.operator_count > p.operators.length
            ? p.operator_count + " " + data.textOperators : ""]]));
      }
    });
  }, data.labelSites, true, 2);

  load(data.stations, function (collection) {
    return L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 2.5, color: "#1d2433", weight: 1, fillOpacity: 1 });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        marker.bindPopup(popup(p.operator + " " + p.code, [["", p.name], ["", p.technology], ["", p.site]]));
      }
    });
  }, data.labelStations, false, 3);

  load(data.incidents, function (collection) {
    return L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 2, fillColor: "#d81b60", fillOpacity: 1 });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        marker.bindPopup(popup(p.category, [["", p.status_label], ["", p.created], ["", p.address], ["", p.description]]));
      }
    });
  }, data.labelIncidents, true, 4);
})();
