/* app.js - the public page's script: search with suggestions, "Près de
 * moi", the filters, the map, all kept in the URL.
 *
 * The server renders everything a visitor reads (server/render.c): the
 * page arrives with its list, and when the search changes the script asks
 * the server for the same part of the page (the same URL with
 * part=results) and swaps it in. So there is one card, written once, in
 * C, in the visitor's language, and the page works the same without this
 * script. The list of the first paint is kept, not fetched again. The
 * script keeps the map (JSON and tiles) and the combobox. The visitor's
 * position is used for one request at a time and never written into the
 * URL or anywhere else. MapLibre GL JS (web/vendor/, copied from npm by
 * the Makefile) is loaded only when the browser has WebGL2; without it the
 * list is the page. */
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  /* The words and colours the server gives the script (page.c page_data). */
  var DATA = JSON.parse(($('page-data') || {}).textContent || '{}');
  var COLORS = DATA.colors || {};
  function t(key) { return (DATA.strings || {})[key] || ''; }

  /* ---- state <-> URL --------------------------------------------- */
  var KEYS = ['q', 'besoin', 'where', 'cat', 'age', 'open', 'sel', 'lang', 'at'];
  var state = {};
  var pos = null;        /* {lat, lon}: never put in the URL */
  var features = [];     /* the listed listings, for the map */
  var map = null, reqNo = 0;

  function readUrl() {
    var p = new URLSearchParams(location.search);
    KEYS.forEach(function (k) { state[k] = p.get(k) || ''; });
  }
  function query(extra) {
    var p = new URLSearchParams();
    KEYS.forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    for (var k in extra || {}) p.set(k, extra[k]);
    return p.toString();
  }
  function writeUrl(push) {
    var qs = query(), url = location.pathname + (qs ? '?' + qs : '');
    if (url !== location.pathname + location.search)
      history[push ? 'pushState' : 'replaceState'](null, '', url);
    /* the language links keep the search, as the server writes them */
    document.querySelectorAll('.langs a').forEach(function (a) {
      var p = new URLSearchParams(query());
      p.set('lang', a.getAttribute('hreflang'));
      p.delete('sel');
      a.setAttribute('href', '?' + p);
    });
  }
  function formToState() {
    state.q = $('q').value.trim();
    state.where = $('where').value.trim();
    state.cat = $('cat').value;
    state.age = /^\d{1,3}$/.test($('age').value) ? $('age').value : '';
    state.open = $('open').checked ? '1' : '';
  }
  function stateToForm() {
    $('q').value = state.q; $('where').value = state.where; $('cat').value = state.cat;
    $('age').value = state.age; $('open').checked = state.open === '1';
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok && r.status !== 404) throw new Error(r.status);
      return r.ok ? r.json() : null;
    });
  }
  /* A part of the page, rendered by the server (page.c, part=...). */
  function getPart(params) {
    return fetch('/?' + query(params)).then(function (r) {
      if (!r.ok && r.status !== 404) throw new Error(r.status);
      return r.ok ? r.text() : '';
    }).then(function (html) {
      var tpl = document.createElement('template');
      tpl.innerHTML = html; /* the server's own, escaped HTML */
      return tpl.content;
    });
  }

  /* ---- results ------------------------------------------------------- */
  function featuresFromDom() { /* what the server rendered, for the map */
    return [].map.call(document.querySelectorAll('#list .card'), function (li) {
      return { type: 'Feature', geometry: { type: 'Point', coordinates: [+li.dataset.lon, +li.dataset.lat] },
        properties: { id: +li.dataset.id, category: li.dataset.cat, approx: li.dataset.approx ? 1 : 0 } };
    });
  }
  function swap(part) {
    ['situation', 'competence', 'list'].forEach(function (id) {
      var el = part.querySelector('#' + id);
      if (el) $(id).innerHTML = el.innerHTML;
    });
    ['results-title', 'status'].forEach(function (id) {
      var el = part.querySelector('#' + id);
      if (el) $(id).textContent = el.textContent;
    });
    features = featuresFromDom();
    showOnMap();
  }
  function run(push) {
    var my = ++reqNo;
    writeUrl(push);
    $('results').setAttribute('aria-busy', 'true');
    $('status').textContent = t('loading');
    var extra = { part: 'results' };
    if (pos && !state.where) { extra.lat = pos.lat.toFixed(5); extra.lon = pos.lon.toFixed(5); }
    return getPart(extra).then(function (part) {
      if (my !== reqNo) return; /* a newer search has started */
      swap(part);
      if (state.sel) select(state.sel, false, false);
    }).catch(function () {
      if (my === reqNo) $('status').textContent = t('error');
    }).then(function () {
      if (my === reqNo) $('results').setAttribute('aria-busy', 'false');
    });
  }

  /* Mark a listing selected; one not in the list (a point on the map, a
   * service of the competence box) is asked of the server first. */
  function select(id, focus, push) {
    state.sel = String(id);
    if (push !== false) writeUrl(true);
    var li = $('l-' + id);
    var ready = li ? Promise.resolve(li) : getPart({ sel: id, part: 'card' }).then(function (part) {
      var card = part.querySelector('.card');
      if (!card || $('l-' + id)) return $('l-' + id);
      $('list').insertBefore(card, $('list').firstChild);
      features = featuresFromDom();
      showOnMap();
      return card;
    }, function () { return null; });
    return ready.then(function (el) {
      document.querySelectorAll('.card.selected').forEach(function (e) { if (e !== el) e.classList.remove('selected'); });
      if (!el) return;
      el.classList.add('selected');
      el.scrollIntoView({ block: 'nearest' });
      if (focus) el.querySelector('h3 a').focus();
      var g = { type: 'Feature', geometry: { type: 'Point', coordinates: [+el.dataset.lon, +el.dataset.lat] },
        properties: { id: +el.dataset.id, category: el.dataset.cat, approx: el.dataset.approx ? 1 : 0 } };
      if (map) {
        map.easeTo({ center: g.geometry.coordinates, zoom: Math.max(map.getZoom(), 13) });
        if (map.getSource('selected')) map.getSource('selected').setData({ type: 'FeatureCollection', features: [g] });
        if (map.getLayer('selected-tiles')) map.setFilter('selected-tiles', ['in', ['get', 'id'], ['literal', [+id]]]);
      }
    });
  }

  /* ---- suggestions (a combobox, WAI-ARIA APG pattern) -------------------- */
  var sugTimer = 0, sugNo = 0, sugActive = -1, sugItems = [];
  function suggest() {
    var q = $('q').value.trim(), my = ++sugNo;
    clearTimeout(sugTimer);
    if (q.length < 2) return closeSuggest();
    sugTimer = setTimeout(function () {
      getJSON('/api/search?limit=6&q=' + encodeURIComponent(q) + (state.cat ? '&category=' + state.cat : '')).then(function (fc) {
        if (my !== sugNo || !fc) return;
        /* the situations the words name first ("je suis enceinte"), then
         * the services */
        var lg = DATA.lang || 'fr';
        sugItems = (fc.situations || []).map(function (s) {
          return { situation: s.id, name: s.label[lg] || s.label.fr, sub: s.description[lg] || s.description.fr };
        }).concat(fc.features.map(function (f) {
          return { id: f.properties.id, name: f.properties.name, sub: f.properties.commune || '' };
        }));
        sugActive = -1;
        var ul = $('suggest');
        ul.textContent = '';
        sugItems.forEach(function (it, i) {
          var li = document.createElement('li'), sub = document.createElement('span');
          li.setAttribute('role', 'option'); li.id = 'sug-' + i; li.setAttribute('aria-selected', 'false');
          if (it.situation) li.className = 'sug-situation';
          li.textContent = it.name + ' ';
          sub.className = 'sub'; sub.textContent = it.sub;
          li.appendChild(sub);
          ul.appendChild(li);
        });
        ul.hidden = sugItems.length === 0;
        $('q').setAttribute('aria-expanded', String(!ul.hidden));
      }, function () {});
    }, 200);
  }
  function closeSuggest() {
    /* no active option either: Enter in the box then submits the words
     * (it picked the last list's first option, gone, and threw) */
    $('suggest').hidden = true; $('suggest').textContent = ''; sugItems = []; sugActive = -1;
    $('q').setAttribute('aria-expanded', 'false'); $('q').removeAttribute('aria-activedescendant');
  }
  function pickSuggestion(i) {
    var it = sugItems[i];
    closeSuggest();
    formToState();
    if (it.situation) { state.besoin = it.situation; state.q = ''; state.sel = ''; stateToForm(); }
    else state.sel = String(it.id);
    run(true);
  }
  function moveSuggest(d) {
    if (!sugItems.length) return;
    sugActive = (sugActive + d + sugItems.length) % sugItems.length;
    [].forEach.call($('suggest').children, function (li, i) { li.setAttribute('aria-selected', String(i === sugActive)); });
    $('q').setAttribute('aria-activedescendant', 'sug-' + sugActive);
  }

  /* ---- the map (only with WebGL2, loaded after the list) ------------------- */
  function hasWebGL2() {
    try { return !!document.createElement('canvas').getContext('webgl2'); } catch (e) { return false; }
  }
  /* MapLibre (a quarter of a megabyte of script to parse) is loaded when
   * the map's box comes into view (beside the list on a wide screen; after
   * it on a phone), when the page is idle, or at the first touch of the
   * box: the list is there and usable before. Without WebGL2 the box goes
   * and MapLibre is never fetched. */
  var mapStarted = false;
  function loadMap() {
    var box = $('mapbox');
    if (!hasWebGL2()) { box.hidden = true; return; }
    var assets = DATA.assets || {};
    var start = function () {
      if (mapStarted) return;
      mapStarted = true;
      var css = document.createElement('link');
      css.rel = 'stylesheet'; css.href = assets['/vendor/maplibre-gl.css'] || '/vendor/maplibre-gl.css';
      document.head.appendChild(css);
      var s = document.createElement('script');
      s.src = assets['/vendor/maplibre-gl.js'] || '/vendor/maplibre-gl.js';
      s.onload = function () { basemapSource().then(startMap); };
      document.head.appendChild(s);
    };
    var idle = function () {
      if (window.requestIdleCallback) requestIdleCallback(start, { timeout: 3000 }); else setTimeout(start, 300);
    };
    box.addEventListener('pointerdown', start, { once: true });
    if (!('IntersectionObserver' in window)) { idle(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) return;
      seen.disconnect();
      idle();
    }, { rootMargin: '200px' });
    seen.observe(box);
  }
  /* The basemap tileset (provinces, arrondissements, municipalities and
   * their boundary lines) when this server has it; the map works without
   * it. Its names are drawn by mapText below, not by MapLibre. */
  function basemapSource() {
    return getJSON('/tiles/basemap.json').then(function (tj) {
      return tj && tj.vector_layers ? tj.vector_layers.map(function (l) { return l.id; }) : null;
    }).catch(function () { return null; });
  }
  function basemapLayers(layers) {
    var out = [];
    if (layers.indexOf('provinces') >= 0)
      out.push({ id: 'land', type: 'fill', source: 'basemap', 'source-layer': 'provinces',
        paint: { 'fill-color': '#fbfaf5' } });
    if (layers.indexOf('boundaries') >= 0) {
      out.push({ id: 'boundaries', type: 'line', source: 'basemap', 'source-layer': 'boundaries',
        paint: { 'line-color': ['match', ['get', 'level'], 'municipality', '#b4bcc6', '#7d8794'],
          'line-width': ['match', ['get', 'level'], 'country', 2, 'province', 1.4, 'arrondissement', 0.9, 0.5] } });
      return out;
    }
    layers.forEach(function (l) { /* another basemap: outline its polygons */
      out.push({ id: 'line-' + l, type: 'line', source: 'basemap', 'source-layer': l,
        paint: { 'line-color': '#8a93a0', 'line-width': /prov/.test(l) ? 1.4 : 0.5 } });
    });
    return out;
  }
  /* Place names and cluster counts, drawn as HTML over the canvas.
   * MapLibre draws text only from glyph PBF files, which we would have to
   * fetch from a font server (or build and ship); plain DOM text uses the
   * system font and fetches nothing. One aria-hidden, click-through layer
   * holds a pool of reused spans: the list is the accessible view, and a
   * click still reaches the cluster or point under a name. Which names
   * show is decided when the map is idle (tiles loaded): the basemap's
   * `labels` points of the loaded tiles, once each (a point repeats in
   * every tile whose buffer holds it), provinces before arrondissements
   * before municipalities, a name skipped when its box meets one already
   * placed, at most MAX_NAMES. While the map moves, only the spans'
   * transforms are written (no layout is read). */
  var MAX_NAMES = 150;
  var LEVELS = { province: 0, arrondissement: 1, municipality: 2 };
  var NAME_PX = [14, 13, 12]; /* font sizes, kept in step with app.css */
  function mapText(m) {
    var layer = document.createElement('div'), pool = [], shown = [];
    layer.className = 'map-text';
    layer.setAttribute('aria-hidden', 'true');
    var ctl = m.getContainer().querySelector('.maplibregl-control-container');
    m.getContainer().insertBefore(layer, ctl);
    function place() {
      for (var i = 0; i < shown.length; i++) {
        var p = m.project(shown[i].ll);
        shown[i].el.style.transform = 'translate(' + Math.round(p.x) + 'px,' + (Math.round(p.y) + shown[i].dy) + 'px) translate(-50%,-50%)';
      }
    }
    function overlaps(b, boxes) {
      for (var i = 0; i < boxes.length; i++) {
        var o = boxes[i];
        if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
      }
      return false;
    }
    function update() {
      var w = m.getContainer().clientWidth, h = m.getContainer().clientHeight, z = m.getZoom();
      var items = [], boxes = [], nameBoxes = [], seen = {};
      /* the counts first: each on its cluster's circle */
      var cat = state.cat;
      m.queryRenderedFeatures({ layers: ['clusters'] }).forEach(function (f) {
        /* a cluster in two tiles' buffers comes twice; its 64-bit id is
         * rounded by JavaScript, but two clusters are 40 px apart at least */
        var c = f.geometry.coordinates, p = m.project(c), key = 'c' + Math.round(p.x / 4) + ',' + Math.round(p.y / 4);
        if (seen[key]) return;
        seen[key] = 1;
        var n = cat ? f.properties[cat] : f.properties.point_count, r = 8 + String(n).length * 4;
        boxes.push([p.x - r, p.y - r, p.x + r, p.y + r]);
        items.push({ ll: c, text: String(n), cls: 'count' });
      });
      var names = m.getSource('basemap') ? m.querySourceFeatures('basemap', { sourceLayer: 'labels' }) : [];
      var cand = [];
      names.forEach(function (f) {
        var q = f.properties, lv = LEVELS[q.level], key = 'n' + q.nis;
        if (lv === undefined || seen[key]) return;
        /* a province name above zoom 9.5, an arrondissement's above 10.5,
         * would stand among the municipalities' and say little */
        if ((lv === 0 && z >= 9.5) || (lv === 1 && z >= 10.5)) return;
        seen[key] = 1;
        var text = (DATA.lang === 'nl' ? q.name_nl || q.name_fr : q.name_fr || q.name_nl) || '';
        if (text) cand.push({ lv: lv, nis: +q.nis, text: text, ll: f.geometry.coordinates });
      });
      cand.sort(function (a, b) { return a.lv - b.lv || a.nis - b.nis; });
      var nNames = 0;
      for (var i = 0; i < cand.length && nNames < MAX_NAMES; i++) {
        var c = cand[i], p = m.project(c.ll), px = NAME_PX[c.lv];
        /* the width guessed from the length: measuring would cost a layout */
        var hw = (c.text.length * px * 0.56) / 2 + 3, hh = px * 0.7 + 1;
        /* on its point, else just above or below it, clear of the counts;
         * a province's name may lie over a count (which stays on top)
         * rather than vanish where the clusters are dense */
        for (var pass = 0; pass < (c.lv === 0 ? 2 : 1); pass++) {
          var against = pass ? nameBoxes : boxes, dy = 0, b = null;
          for (; dy !== null; dy = dy === 0 ? -2 * hh : dy < 0 ? 2 * hh : null) {
            b = [p.x - hw, p.y + dy - hh, p.x + hw, p.y + dy + hh];
            if (b[0] >= 0 && b[1] >= 0 && b[2] <= w && b[3] <= h && !overlaps(b, against)) break;
          }
          if (dy === null) continue;
          boxes.push(b);
          nameBoxes.push(b);
          items.push({ ll: c.ll, dy: dy, text: c.text, cls: 'name name-' + c.lv, nis: String(c.nis) });
          nNames++;
          break;
        }
      }
      /* write only: reuse the pool's spans, hide the rest */
      while (pool.length < items.length) {
        var el = document.createElement('span');
        layer.appendChild(el);
        pool.push(el);
      }
      shown = [];
      for (var k = 0; k < pool.length; k++) {
        var e = pool[k], it = items[k];
        if (!it) { if (!e.hidden) e.hidden = true; continue; }
        if (e.textContent !== it.text) e.textContent = it.text;
        if (e.className !== it.cls) e.className = it.cls;
        if (it.nis) e.dataset.nis = it.nis; else delete e.dataset.nis;
        e.hidden = false;
        shown.push({ el: e, ll: it.ll, dy: Math.round(it.dy || 0) });
      }
      place();
    }
    m.on('idle', update);
    m.on('move', place);
    m.on('remove', function () { layer.remove(); pool = []; shown = []; });
  }
  /* A listing at a postcode's or commune's centre is drawn hollow (a
   * ring in its colour), so it reads as "somewhere around here"; the
   * legend under the map says so. Tiles carry approx = 1 for them, the
   * API features their position_source. */
  var APPROX = ['any', ['==', ['get', 'approx'], 1], ['in', ['get', 'position_source'], ['literal', ['postcode', 'commune']]]];
  function pointPaint(color, r, stroke, sw) {
    return { 'circle-color': ['case', APPROX, '#fff', color], 'circle-radius': r,
      'circle-stroke-color': ['case', APPROX, color, stroke], 'circle-stroke-width': ['case', APPROX, sw + 1.5, sw] };
  }
  /* From this zoom the tiles hold single points, and listings sharing one
   * position are spread on a ring (lib/tileset.c): results and the
   * selected one are drawn from the tiles there, so they sit where their
   * points are; below it, from the answers' GeoJSON. */
  var SINGLE_ZOOM = 13;
  function startMap(base) {
    var el = $('map');
    var style = { version: 8, sources: { listings: { type: 'vector', url: location.origin + '/tiles.json' } },
      layers: [{ id: 'bg', type: 'background', paint: { 'background-color': base ? '#dfe6ec' : '#eef1f4' } }] };
    if (base) {
      style.sources.basemap = { type: 'vector', url: location.origin + '/tiles/basemap.json' };
      style.layers = style.layers.concat(basemapLayers(base));
    }
    var catColor = ['match', ['get', 'category']].concat(Object.keys(COLORS).reduce(function (a, c) { return a.concat([c, COLORS[c]]); }, []), ['#555']);
    style.layers.push(
      { id: 'clusters', type: 'circle', source: 'listings', 'source-layer': 'listings', filter: ['has', 'point_count'],
        paint: { 'circle-color': '#2b3a55', 'circle-opacity': 0.8, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2,
          'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 10, 50, 20, 300, 30] } },
      { id: 'points', type: 'circle', source: 'listings', 'source-layer': 'listings', filter: ['!', ['has', 'point_count']],
        paint: pointPaint(catColor, 6, '#fff', 1.5) });
    /* The TileJSON's tiles are relative unless the server has a public
     * URL (amo-server --public-url), and MapLibre fetches them as they
     * are, from a worker: they are resolved against the page here. */
    map = new maplibregl.Map({ container: el, style: style, bounds: [[2.54, 49.49], [6.41, 51.51]], maxZoom: 18,
      transformRequest: function (url) { return { url: new URL(url, location.href).href }; },
      attributionControl: { compact: true }, cooperativeGestures: false });
    map.getCanvas().setAttribute('aria-label', t('map'));
    /* A tile request cut by the network or by the page going away is no
     * script error (the list does not depend on it); anything else still
     * reaches the console, as MapLibre does without a listener. */
    map.on('error', function (e) {
      var err = e && e.error;
      if (err && (err.name === 'AbortError' || err.status === 0 || /Failed to fetch/.test(err.message))) return;
      console.error(err || e);
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on('load', function () {
      map.addSource('results', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addSource('selected', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'results', type: 'circle', source: 'results', maxzoom: SINGLE_ZOOM,
        paint: pointPaint(catColor, 8, '#111', 2) });
      map.addLayer({ id: 'results-tiles', type: 'circle', source: 'listings', 'source-layer': 'listings', minzoom: SINGLE_ZOOM,
        filter: ['in', ['get', 'id'], ['literal', []]], paint: pointPaint(catColor, 8, '#111', 2) });
      var ring = { 'circle-radius': 12, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#f2b705', 'circle-stroke-width': 4 };
      map.addLayer({ id: 'selected', type: 'circle', source: 'selected', maxzoom: SINGLE_ZOOM, paint: ring });
      map.addLayer({ id: 'selected-tiles', type: 'circle', source: 'listings', 'source-layer': 'listings', minzoom: SINGLE_ZOOM,
        filter: ['in', ['get', 'id'], ['literal', []]], paint: ring });
      $('legend').hidden = false;
      applyMapFilter();
      showOnMap(true);
      mapText(map);
      el.dataset.ready = '1';
      window.annuaireMap = map; /* for the browser tests and curious partners */
      /* The compact attribution starts open and would cover a phone's map;
       * its (i) button opens it. */
      var attrib = el.querySelector('.maplibregl-compact-show');
      if (attrib) { attrib.classList.remove('maplibregl-compact-show'); attrib.removeAttribute('open'); }
    });
    /* A cluster opens by zooming in around it (a vector source cannot
     * tell its expansion zoom, so two levels, up to the unclustered zoom). */
    map.on('click', 'clusters', function (e) {
      var f = e.features[0];
      map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(map.getZoom() + 2, 13) });
    });
    var pick = function (e) {
      var id = e.features[0].properties.id || e.features[0].id;
      select(String(id), true);
    };
    map.on('click', 'points', pick);
    map.on('click', 'results', pick);
    map.on('click', 'results-tiles', pick);
    ['clusters', 'points', 'results', 'results-tiles'].forEach(function (l) {
      map.on('mouseenter', l, function () { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', l, function () { map.getCanvas().style.cursor = ''; });
    });
  }
  function applyMapFilter() {
    if (!map || !map.getLayer('points')) return;
    var c = state.cat;
    map.setFilter('points', c ? ['all', ['!', ['has', 'point_count']], ['==', ['get', 'category'], c]] : ['!', ['has', 'point_count']]);
    map.setFilter('clusters', c ? ['all', ['has', 'point_count'], ['>', ['get', c], 0]] : ['has', 'point_count']);
  }
  function showOnMap(initial) {
    if (!map || !map.getSource('results')) return;
    applyMapFilter();
    map.getSource('results').setData({ type: 'FeatureCollection', features: features });
    var sel = features.filter(function (f) { return String(f.properties.id) === state.sel; });
    map.getSource('selected').setData({ type: 'FeatureCollection', features: sel });
    map.setFilter('results-tiles', ['in', ['get', 'id'], ['literal', features.map(function (f) { return +f.properties.id; })]]);
    map.setFilter('selected-tiles', ['in', ['get', 'id'], ['literal', sel.map(function (f) { return +f.properties.id; })]]);
    if (!features.length) return;
    var b = new maplibregl.LngLatBounds();
    features.slice(0, 10).forEach(function (f) { b.extend(f.geometry.coordinates); });
    if (pos) b.extend([pos.lon, pos.lat]);
    if (sel.length) map.jumpTo({ center: sel[0].geometry.coordinates, zoom: 13 });
    else map.fitBounds(b, { padding: 40, maxZoom: 12, duration: initial ? 0 : 500 });
  }

  /* ---- wiring ----------------------------------------------------------- */
  function init() {
    readUrl();
    features = featuresFromDom();
    if ('geolocation' in navigator) $('locate').hidden = false;
    $('search').addEventListener('submit', function (e) {
      e.preventDefault(); closeSuggest(); formToState(); state.sel = '';
      if (state.q) state.besoin = ''; /* new words: a new question */
      run(true);
    });
    ['cat', 'open', 'age'].forEach(function (id) {
      $(id).addEventListener('change', function () { formToState(); run(true); });
    });
    $('q').setAttribute('aria-autocomplete', 'list');
    $('q').setAttribute('aria-controls', 'suggest');
    $('q').setAttribute('aria-expanded', 'false');
    $('q').setAttribute('role', 'combobox');
    $('q').addEventListener('input', suggest);
    $('q').addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); moveSuggest(1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); moveSuggest(-1); }
      else if (e.key === 'Escape') closeSuggest();
      else if (e.key === 'Enter' && sugActive >= 0) { e.preventDefault(); pickSuggestion(sugActive); }
    });
    $('q').addEventListener('blur', function () { setTimeout(closeSuggest, 150); });
    $('suggest').addEventListener('mousedown', function (e) {
      var li = e.target.closest('li');
      if (li) { e.preventDefault(); pickSuggestion(+li.id.slice(4)); }
    });
    $('locate').addEventListener('click', function () {
      $('status').textContent = t('loading');
      navigator.geolocation.getCurrentPosition(function (p) {
        /* used for the requests below, kept nowhere else */
        pos = { lat: p.coords.latitude, lon: p.coords.longitude };
        formToState(); state.where = ''; state.q = ''; state.sel = ''; stateToForm();
        run(true);
      }, function () { $('status').textContent = t('geo_no'); $('where').focus(); },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
    });
    $('results').addEventListener('click', function (e) {
      var a = e.target.closest('#list h3 a, #competence a[data-id]');
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      select(a.closest('.card') ? a.closest('.card').dataset.id : a.dataset.id, !a.closest('.card'));
    });
    window.addEventListener('popstate', function () { readUrl(); stateToForm(); run(false); });
    writeUrl(false);
    loadMap();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
