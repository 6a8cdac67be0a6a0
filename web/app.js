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
 * URL or anywhere else. A secret search (a sensitive situation, words
 * naming one, or words the directory did not understand: the server marks
 * its answer data-sensitive) is never written into the URL or the history
 * either: the address becomes the plain page's, and "Copier le lien" gives
 * the full link on purpose. Offline (web/sw.js), the page answers a place
 * or a situation from the offline copy (the end of this file). MapLibre GL JS (web/vendor/, copied from npm by
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
  var secret = false;    /* the current answer's words stay out of the URL */

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
  /* The address of the current state; a secret one's is the plain
   * page's (its language only), and it never adds a history entry. */
  function shownQuery() {
    if (!secret) return query();
    var p = new URLSearchParams();
    if (state.lang) p.set('lang', state.lang);
    return p.toString();
  }
  function writeUrl(push) {
    var qs = shownQuery(), url = location.pathname + (qs ? '?' + qs : '');
    if (url !== location.pathname + location.search)
      history[push && !secret ? 'pushState' : 'replaceState'](null, '', url);
    /* the language links keep the search, as the server writes them */
    document.querySelectorAll('.langs a').forEach(function (a) {
      var p = new URLSearchParams(shownQuery());
      p.set('lang', a.getAttribute('hreflang'));
      p.delete('sel');
      a.setAttribute('href', '?' + p);
    });
    $('copy-link').hidden = !(state.q || state.besoin || state.where || state.cat);
  }
  function readSecret() {
    var s = $('situation');
    secret = !!(s && s.dataset.sensitive);
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
    var sit = part.querySelector('#situation');
    if (sit && sit.dataset.sensitive) $('situation').dataset.sensitive = '1';
    else delete $('situation').dataset.sensitive;
    readSecret();
    ['results-title', 'status'].forEach(function (id) {
      var el = part.querySelector('#' + id);
      if (el) $(id).textContent = el.textContent;
    });
    features = featuresFromDom();
    showOnMap();
  }
  function run(push) {
    var my = ++reqNo;
    /* Words or a situation: the address waits for the answer, which says
     * whether they are secret; until then it holds none of them. */
    var words = !!(state.q || state.besoin);
    if (!words) { secret = false; writeUrl(push); }
    $('results').setAttribute('aria-busy', 'true');
    $('status').textContent = t('loading');
    if (isOffline()) return runOffline(my);
    var extra = { part: 'results' };
    if (pos && !state.where) { extra.lat = pos.lat.toFixed(5); extra.lon = pos.lon.toFixed(5); }
    return getPart(extra).then(function (part) {
      if (my !== reqNo) return; /* a newer search has started */
      swap(part);
      if (words) writeUrl(push);
      if (state.sel) select(state.sel, false, false);
    }).catch(function () {
      if (my !== reqNo) return;
      /* the network is gone: the offline copy, when there is one */
      if (navigator.serviceWorker && navigator.serviceWorker.controller) return runOffline(my);
      $('status').textContent = t('error');
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
    /* a suggestion still on its way must not reopen the list */
    clearTimeout(sugTimer); sugNo++; sugActive = -1;
    $('suggest').hidden = true; $('suggest').textContent = ''; sugItems = [];
    $('q').setAttribute('aria-expanded', 'false'); $('q').removeAttribute('aria-activedescendant');
  }
  function pickSuggestion(i) {
    var it = sugItems[i];
    closeSuggest();
    if (!it) return;
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
  /* where a name may go, in half-widths and half-heights from its point */
  var PLACES_POINT = [[0, 0], [0, -2], [0, 2]];
  var PLACES_AREA = [];
  [0, -2, 2, -4, 4, -6, 6, -8, 8].forEach(function (y) { [0, -1, 1, -2, 2].forEach(function (x) { PLACES_AREA.push([x, y]); }); });
  function mapText(m) {
    var layer = document.createElement('div'), pool = [], shown = [];
    layer.className = 'map-text';
    layer.setAttribute('aria-hidden', 'true');
    var ctl = m.getContainer().querySelector('.maplibregl-control-container');
    m.getContainer().insertBefore(layer, ctl);
    function place() {
      for (var i = 0; i < shown.length; i++) {
        var p = m.project(shown[i].ll);
        shown[i].el.style.transform = 'translate(' + (Math.round(p.x) + shown[i].dx) + 'px,' + (Math.round(p.y) + shown[i].dy) + 'px) translate(-50%,-50%)';
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
      var items = [], boxes = [], seen = {};
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
        var hw = (c.text.length * px * 0.6) / 2 + 4, hh = px * 0.7 + 1;
        /* on its point, else above or below it (one or two lines off),
         * never over a count or another name: on a phone at zoom 7 a
         * province's name over the counts hid them (issue 16); where the
         * clusters are dense a name gives way */
        /* a province's or arrondissement's name names an area: it may
         * also move further, and sideways, to find a free place */
        var offs = c.lv < 2 ? PLACES_AREA : PLACES_POINT, b = null, dy = null, dx = 0;
        for (var o = 0; o < offs.length; o++) {
          var d = offs[o][1] * hh, e = offs[o][0] * hw;
          b = [p.x + e - hw, p.y + d - hh, p.x + e + hw, p.y + d + hh];
          if (b[0] >= 0 && b[1] >= 0 && b[2] <= w && b[3] <= h && !overlaps(b, boxes)) { dy = d; dx = e; break; }
        }
        if (dy === null) continue;
        boxes.push(b);
        items.push({ ll: c.ll, dx: dx, dy: dy, text: c.text, cls: 'name name-' + c.lv, nis: String(c.nis) });
        nNames++;
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
        shown.push({ el: e, ll: it.ll, dx: Math.round(it.dx || 0), dy: Math.round(it.dy || 0) });
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
  var FWB_BOUNDS = [[2.84, 49.49], [6.41, 50.92]];
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
     * are, from a worker: they are resolved against the page here. The
     * first view: the Federation's territory (Wallonia and Brussels),
     * not all of Belgium. */
    map = new maplibregl.Map({ container: el, style: style, bounds: FWB_BOUNDS, maxZoom: 18,
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

  /* ---- offline (web/sw.js keeps the copy) -------------------------------- */
  /* The copy of the first page that the worker serves offline says so
   * (data-offline); so does the browser. The answers are written here
   * from /api/directory and /api/situations, as the server would: the
   * nearest services to the postcode or commune typed, with their phone,
   * and a situation's explanation, helplines and kinds of help. */
  function isOffline() { return document.body.dataset.offline === '1' || navigator.onLine === false; }
  var offlineData = null;
  function loadOffline() {
    if (!offlineData)
      offlineData = Promise.all([getJSON('/api/directory'), getJSON('/api/situations')]).then(function (r) {
        if (!r[0] || !r[1]) throw new Error('no offline copy');
        return { dir: r[0], sits: r[1] };
      });
    offlineData.catch(function () { offlineData = null; });
    return offlineData;
  }
  function fold(s) {
    return (s || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  }
  function place(d, where) {
    var w = fold(where), m = /^\d{4}$/.exec(w), i, c;
    if (!w) return null;
    for (i = 0; m && i < d.postcodes.length; i++)
      if (d.postcodes[i][0] === w) return { name: w + ' ' + d.postcodes[i][1], lat: d.postcodes[i][2], lon: d.postcodes[i][3] };
    for (i = 0; i < d.communes.length; i++) {
      c = d.communes[i];
      if (fold(c[1]) === w || fold(c[2]) === w)
        return { name: DATA.lang === 'nl' ? c[2] || c[1] : c[1] || c[2], lat: c[3], lon: c[4] };
    }
    for (i = 0; i < d.postcodes.length; i++)
      if (fold(d.postcodes[i][1]) === w) return { name: d.postcodes[i][1], lat: d.postcodes[i][2], lon: d.postcodes[i][3] };
    return null;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function tel(n) { return 'tel:' + String(n).replace(/[^\d+]/g, ''); }
  function lg(o) { return (o && (o[DATA.lang] || o.fr)) || ''; }
  function catName(c) {
    var o = $('cat').querySelector('option[value="' + c + '"]');
    return o ? o.textContent : c;
  }
  function km(a, b) {
    var r = Math.PI / 180, x = (b.lon - a.lon) * r * Math.cos((a.lat + b.lat) * r / 2), y = (b.lat - a.lat) * r;
    return 6371 * Math.sqrt(x * x + y * y);
  }
  function offlineCard(f, ix, at) {
    var li = el('li', 'card');
    li.dataset.cat = f[ix.category];
    if (f[ix.lat] != null) { li.dataset.lat = f[ix.lat]; li.dataset.lon = f[ix.lon]; }
    li.appendChild(el('span', 'cat cat-' + f[ix.category], catName(f[ix.category])));
    li.appendChild(el('h3', null, f[ix.name]));
    var addr = [f[ix.street], [f[ix.postcode], f[ix.commune]].filter(Boolean).join(' ')].filter(Boolean).join(', ');
    if (addr) li.appendChild(el('p', 'addr', addr));
    if (at && f[ix.lat] != null)
      li.appendChild(el('p', 'dist', '≈ ' + Math.round(km(at, { lat: f[ix.lat], lon: f[ix.lon] })) + ' km'));
    if (f[ix.phone]) {
      var p = el('p', 'phone'), a = el('a', null, f[ix.phone]);
      a.href = tel(f[ix.phone]);
      p.appendChild(a);
      li.appendChild(p);
    }
    return li;
  }
  function offlineSituation(box, s) {
    var div = el('div', 'situation' + (s.urgent ? ' urgent' : ''));
    div.appendChild(el('h2', null, lg(s.label))).id = 'situation-title';
    div.appendChild(el('p', null, lg(s.description)));
    if ((s.helplines || []).length) {
      div.appendChild(el('h3', null, t('helplines')));
      var ul = el('ul', 'helplines');
      s.helplines.forEach(function (h) {
        var li = el('li'), a = el('a', null, h.name + ' : ' + h.number);
        a.href = tel(h.number);
        li.appendChild(a);
        if (lg(h.hours)) li.appendChild(el('span', 'sub', ' ' + lg(h.hours)));
        ul.appendChild(li);
      });
      div.appendChild(ul);
    }
    div.appendChild(el('h3', null, t('who_helps')));
    var why = el('ul', 'why');
    (s.services || []).forEach(function (k) {
      var li = el('li');
      li.appendChild(el('strong', null, catName(k.category.replace(/-24h$/, '')) + ' : '));
      li.appendChild(document.createTextNode(lg(k.why)));
      why.appendChild(li);
    });
    div.appendChild(why);
    box.appendChild(div);
  }
  function runOffline(my) {
    return loadOffline().then(function (o) {
      if (my !== reqNo) return;
      showOffline(o);
      var d = o.dir, ix = {}, at = place(d, state.where) || place(d, state.q), sit = null, group = null;
      d.fields.forEach(function (f, i) { ix[f] = i; });
      (o.sits.situations || []).forEach(function (s) { if (s.id === state.besoin) sit = s; });
      (o.sits.groups || []).forEach(function (g) { if (g.id === state.besoin) group = g; });
      var box = $('situation'), list = $('list');
      box.textContent = ''; list.textContent = ''; $('competence').textContent = '';
      delete box.dataset.sensitive;
      secret = !!(sit && sit.sensitive) || !!(state.q && !at);
      if (sit) offlineSituation(box, sit);
      else if (group) {
        var g = el('div', 'situation group'), ul = el('ul', 'choices');
        g.appendChild(el('h2', null, lg(group.label))).id = 'situation-title';
        o.sits.situations.forEach(function (s) {
          if (s.group !== group.id) return;
          var li = el('li'), f = el('form', 'choice-form'), b = el('button', 'choice', lg(s.label));
          b.type = 'submit'; b.name = 'besoin'; b.value = s.id;
          f.appendChild(b); li.appendChild(f); li.appendChild(el('span', 'sub', ' ' + lg(s.description)));
          ul.appendChild(li);
        });
        g.appendChild(ul); box.appendChild(g);
      }
      var kinds = sit ? sit.services.map(function (k) { return k.category.replace(/-24h$/, ''); }) : null;
      var rows = at ? d.listings.filter(function (f) {
        return f[ix.lat] != null && (!kinds || kinds.indexOf(f[ix.category]) >= 0) && (!state.cat || f[ix.category] === state.cat);
      }).sort(function (a, b) {
        return km(at, { lat: a[ix.lat], lon: a[ix.lon] }) - km(at, { lat: b[ix.lat], lon: b[ix.lon] });
      }).slice(0, 20) : [];
      rows.forEach(function (f) { list.appendChild(offlineCard(f, ix, at)); });
      $('results-title').textContent = at ? t('offline_results').replace('{w}', at.name) : (sit || group) ? '' : t('offline_none');
      $('status').textContent = rows.length ? rows.length + ' ' : '';
      if (state.where && !at && !sit && !group) $('results-title').textContent = t('offline_none');
      writeUrl(true);
      features = featuresFromDom();
      showOnMap();
    }, function () {
      if (my === reqNo) $('status').textContent = t('error');
    }).then(function () {
      if (my === reqNo) $('results').setAttribute('aria-busy', 'false');
    });
  }
  function showOffline(o) {
    var n = $('offline'), when = (o && o.dir.updated) || '';
    var date = when ? new Date(when.replace(' ', 'T')) : null;
    var text = date && !isNaN(date) ? date.toLocaleDateString(DATA.lang + '-BE', { day: 'numeric', month: 'long', year: 'numeric' }) : when;
    n.textContent = t('offline').replace('{date}', text);
    n.hidden = false;
  }
  /* The worker (our origin, scope /): registered once the page is
   * shown; told the data version of this page, so that its copy follows
   * it. Offline, the page answers from the copy at once. */
  function startOffline() {
    var sw = navigator.serviceWorker;
    if (isOffline()) {
      loadOffline().then(showOffline, function () {});
      if (state.q || state.besoin || state.where) run(false);
    }
    window.addEventListener('offline', function () { loadOffline().then(showOffline, function () {}); });
    window.addEventListener('online', function () { if (document.body.dataset.offline !== '1') $('offline').hidden = true; });
    if (!sw || isOffline()) return;
    var css = document.querySelector('link[href^="/categories.css?v="]');
    var version = css ? css.getAttribute('href').split('v=')[1] : '';
    var tell = function (w) { if (w) w.postMessage({ type: 'refresh', version: version, lang: DATA.lang }); };
    sw.register('/sw.js', { scope: '/' }).then(function (reg) {
      if (sw.controller) tell(sw.controller);
      else sw.addEventListener('controllerchange', function () { tell(sw.controller); }, { once: true });
      return reg;
    }, function () {});
    sw.addEventListener('message', function (e) {
      if (e.data && e.data.type === 'copied') document.documentElement.dataset.offlineCopy = '1';
    });
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
    /* a situation's or group's button (a form posting besoin=, for the
     * sensitive ones) and the needs' links: answered here, with no
     * words in the address */
    document.addEventListener('submit', function (e) {
      var f = e.target.closest('.choice-form');
      if (!f) return;
      e.preventDefault();
      var b = e.submitter || f.querySelector('button');
      formToState(); state.q = ''; state.sel = ''; state.besoin = b.value; stateToForm();
      run(true);
    });
    document.addEventListener('click', function (e) {
      var a = e.target.closest('.needs a.need, .choices a');
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var b = new URL(a.href).searchParams.get('besoin');
      if (!b) return;
      e.preventDefault();
      formToState(); state.q = ''; state.sel = ''; state.besoin = b; stateToForm();
      run(true);
    });
    $('copy-link').addEventListener('click', function () {
      /* the whole state, secret or not: the visitor asked for it */
      var qs = query();
      var url = location.origin + location.pathname + (qs ? '?' + qs : '');
      var done = function () { $('copied').textContent = t('copied'); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, function () {});
    });
    window.addEventListener('popstate', function () { readUrl(); stateToForm(); run(false); });
    readSecret();
    writeUrl(false);
    loadMap();
    startOffline();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
