// maplibre.js - a partner's map from our TileJSON and GeoJSON (see the
// README, "Embedding on a partner site"). Replace `origin` by the
// directory's address when you copy it.
'use strict';
var origin = location.origin;
var map = new maplibregl.Map({
  container: 'map',
  bounds: [[2.54, 49.49], [6.41, 51.51]],
  // The TileJSON's tile URLs are relative when the directory's server has
  // no --public-url; MapLibre fetches them as they are, so they are
  // resolved against the directory's address here.
  transformRequest: function (url) { return { url: new URL(url, origin + '/').href }; },
  style: {
    version: 8,
    sources: { annuaire: { type: 'vector', url: origin + '/tiles.json' } },
    layers: [
      { id: 'bg', type: 'background', paint: { 'background-color': '#eef1f4' } },
      { id: 'clusters', type: 'circle', source: 'annuaire', 'source-layer': 'listings',
        filter: ['has', 'point_count'],
        paint: { 'circle-color': '#2b3a55', 'circle-radius': 12 } },
      { id: 'points', type: 'circle', source: 'annuaire', 'source-layer': 'listings',
        filter: ['!', ['has', 'point_count']],
        paint: { 'circle-color': '#1d5fa8', 'circle-radius': 5 } }
    ]
  }
});
map.on('load', function () {
  fetch(origin + '/api/listings.geojson?category=amo').then(function (r) { return r.json(); })
    .then(function (fc) {
      map.addSource('amo', { type: 'geojson', data: fc });
      map.addLayer({ id: 'amo', type: 'circle', source: 'amo',
        paint: { 'circle-color': '#b3261e', 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
      document.getElementById('amo').innerHTML = fc.features.map(function (f) {
        return '<li>' + f.properties.name.replace(/[<&]/g, '') + ' (' + (f.properties.commune || '').replace(/[<&]/g, '') + ')</li>';
      }).join('');
    });
});
