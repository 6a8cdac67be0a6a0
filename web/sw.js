/* sw.js - the offline copy (scope /). It keeps what a visitor needs to
 * find help without a network: the page as it first shows (no search in
 * it), its own files, the whole directory as a compact list
 * (/api/directory), the situations (/api/situations) and the basemap's
 * low zooms. It never keeps a search, a situation's page or a position:
 * only the addresses below are answered from the cache, everything else
 * (/api/search, /api/nearest, part=, a page with q=, besoin=, where=,
 * lat=) goes to the network as if there were no worker. The directory
 * follows the data version: the page links /categories.css?v=VERSION,
 * and a page whose version differs from the copy's fetches the list
 * again (a 304 when the ETag is the same). See docs/web.md, "Offline". */
'use strict';
var CACHE = 'annuaire-offline-1';
/* our own files, whatever their ?v= version */
var FILES = /^\/(app\.(js|css)|exit\.(js|html)|noscript\.css|favicon\.(svg|ico)|icon-[a-z0-9-]+\.png|manifest\.webmanifest|categories\.css|vendor\/maplibre-gl\.(js|css))$/;
var DATA = ['/api/directory', '/api/situations'];
var LOW_ZOOM = 8; /* basemap tiles kept: zooms 0 to 8 */
/* the Federation's territory, Wallonia and Brussels (lon, lat) */
var BOX = [2.84, 49.49, 6.41, 50.92];

function shellKey(url) { /* "/" or "/?lang=nl": a page that holds no search */
  var lang = url.searchParams.get('lang');
  return /^(nl|en)$/.test(lang || '') ? '/?lang=' + lang : '/';
}
function isShell(url) {
  if (url.pathname !== '/' && url.pathname !== '/index.html') return false;
  var keys = [];
  url.searchParams.forEach(function (v, k) { keys.push(k); });
  return keys.every(function (k) { return k === 'lang'; });
}
function tile(z, lon, lat) {
  var n = Math.pow(2, z), r = lat * Math.PI / 180;
  return [Math.floor((lon + 180) / 360 * n),
    Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n)];
}
function basemapTiles(tj) {
  var out = [], tpl = tj && tj.tiles && tj.tiles[0];
  if (!tpl) return out;
  /* "http://host/tiles/basemap/{z}/{x}/{y}.mvt": our own path (the
   * braces kept: URL() would escape them) */
  var path = tpl.replace(/^https?:\/\/[^/]+/, '');
  if (path.charAt(0) !== '/') return out;
  var max = Math.min(LOW_ZOOM, tj.maxzoom == null ? LOW_ZOOM : tj.maxzoom);
  for (var z = tj.minzoom || 0; z <= max; z++) {
    var a = tile(z, BOX[0], BOX[3]), b = tile(z, BOX[2], BOX[1]);
    for (var x = a[0]; x <= b[0]; x++)
      for (var y = a[1]; y <= b[1]; y++)
        out.push(path.replace('{z}', z).replace('{x}', x).replace('{y}', y));
  }
  return out;
}
/* A copy only of complete, plain answers of ours. */
function keep(cache, key, resp) {
  if (!resp || resp.status !== 200 || resp.type !== 'basic') return Promise.resolve(resp);
  return cache.put(key, resp.clone()).then(function () { return resp; }, function () { return resp; });
}
/* The files a page links ("/app.js?v=..."), the page itself, the data. */
function fill(cache, lang) {
  var key = lang ? '/?lang=' + lang : '/';
  return fetch(key).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.clone().text().then(function (html) {
      var links = [], re = /(?:href|src)="(\/[^"?]+\?v=[^"]+)"/g, m;
      while ((m = re.exec(html))) links.push(m[1].replace(/&amp;/g, '&'));
      links = links.filter(function (u) { return FILES.test(u.split('?')[0]); });
      links.push('/exit.html', '/manifest.webmanifest', '/icon-192.png');
      return cache.put(key, r).then(function () {
        return Promise.all(links.concat(DATA).map(function (u) {
          return fetch(u).then(function (x) { return keep(cache, u, x); }, function () {});
        }));
      });
    });
  }).then(function () {
    return fetch('/tiles/basemap.json').then(function (r) {
      if (!r.ok) return null;
      return keep(cache, '/tiles/basemap.json', r).then(function (x) { return x.json(); });
    }).then(function (tj) {
      return Promise.all(basemapTiles(tj).map(function (u) {
        return fetch(u).then(function (x) { return keep(cache, u, x); }, function () {});
      }));
    }, function () {});
  });
}

self.addEventListener('install', function (e) {
  self.skipWaiting();
  e.waitUntil(caches.open(CACHE).then(function (c) { return fill(c, null); }));
});
self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});
/* The page says when it has been shown with another data version, or in
 * another language: the copy is refreshed (app.js). */
self.addEventListener('message', function (e) {
  var m = e.data || {};
  if (m.type !== 'refresh') return;
  var lang = /^(nl|en)$/.test(m.lang || '') ? m.lang : null;
  e.waitUntil(caches.open(CACHE).then(function (c) {
    return c.match('/api/directory').then(function (r) { return r ? r.json() : null; }).then(function (d) {
      var same = d && String(d.data_version) === String(m.version);
      return c.match(lang ? '/?lang=' + lang : '/').then(function (shell) {
        if (same && shell) return null;
        return fill(c, lang);
      });
    });
  }).then(function () {
    return self.clients.matchAll().then(function (cl) {
      cl.forEach(function (x) { x.postMessage({ type: 'copied' }); });
    });
  }, function () {}));
});

function offlinePage(cache, url) {
  return cache.match(shellKey(url)).then(function (r) { return r || cache.match('/'); }).then(function (r) {
    if (!r) return Response.error();
    return r.text().then(function (html) {
      /* the copy of the first page, told it is one: app.js answers from
       * the offline list */
      return new Response(html.replace('<body ', '<body data-offline="1" '), {
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
    });
  });
}

self.addEventListener('fetch', function (e) {
  var req = e.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    /* the network first; offline, the copy of the first page */
    e.respondWith(fetch(req).catch(function () {
      return caches.open(CACHE).then(function (c) { return offlinePage(c, url); });
    }));
    return;
  }
  if (req.method !== 'GET') return;
  var p = url.pathname;
  var z = /^\/tiles\/basemap\/(\d+)\//.exec(p);
  if (FILES.test(p) || (z && +z[1] <= LOW_ZOOM)) {
    /* versioned files and the basemap's low zooms: the copy first */
    e.respondWith(caches.open(CACHE).then(function (c) {
      return c.match(req).then(function (hit) {
        return hit || fetch(req).then(function (r) { return keep(c, req, r); });
      });
    }));
    return;
  }
  if (DATA.indexOf(p) >= 0 || p === '/tiles/basemap.json') {
    if (url.search) return; /* the copy is of the plain list only */
    e.respondWith(fetch(req).then(function (r) {
      return caches.open(CACHE).then(function (c) { return keep(c, p, r); });
    }).catch(function () {
      return caches.match(p).then(function (hit) { return hit || Response.error(); });
    }));
  }
  /* anything else (a search, a position, a page's part): never kept */
});
