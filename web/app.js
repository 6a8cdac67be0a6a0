/* app.js - the public page: search with suggestions, "Près de moi",
 * filters, the result list and the map, all kept in the URL.
 *
 * The server has already rendered the list for the URL's state (so the
 * page works without JavaScript and shows results before this runs); this
 * script takes over from there. The visitor's position is used for one
 * request at a time and never written into the URL or anywhere else.
 * MapLibre GL JS (web/vendor/, copied from npm by the Makefile) is loaded
 * only when the browser has WebGL2; without it the list is the page. */
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var CATS = ['amo', 'cpas', 'planning', 'sdj'];
  var COLORS = { amo: '#b3261e', cpas: '#1d5fa8', planning: '#7b3fa0', sdj: '#1b7a45' };

  /* ---- words ----------------------------------------------------- */
  var T = {
    fr: {
      cat: { amo: 'AMO (aide en milieu ouvert)', cpas: 'CPAS', planning: 'Planning familial', sdj: 'Service Droit des Jeunes' },
      open: 'ouvert maintenant', closed: 'fermé', hours: 'Horaires : ', ages: 'De {a} à {b} ans',
      km: 'à {d} km', tel: 'Tél. ', web: 'Site web', n: '{n} services.', n1: '1 service.',
      none: 'Aucun service trouvé. Essayez un autre mot, ou votre code postal.',
      results: 'Résultats pour « {q} »', nearest: 'Les plus proches de {w}', nearme: 'ta position',
      all: 'Tous les services : {c}', loading: 'Recherche…', for: 'Pour la commune de {c}',
      competent_cpas: 'CPAS compétent', competent_amo: 'AMO', competent_sdj: 'Service Droit des Jeunes',
      notyet: "pas encore dans l'annuaire", nearest_one: 'le plus proche :', unknown: 'Code postal ou commune inconnu : « {w} ».',
      geo_no: "Position refusée ou indisponible : tape plutôt ton code postal.", nomap: '',
      days: { Mo: 'lun', Tu: 'mar', We: 'mer', Th: 'jeu', Fr: 'ven', Sa: 'sam', Su: 'dim', PH: 'jours fériés' },
      h247: '24 h sur 24, 7 jours sur 7', error: 'Le service ne répond pas. Réessayez dans un instant.',
      map: 'Carte des services (la liste donne les mêmes résultats)', sel: 'Sélectionné sur la carte',
      km_approx: '≈ {d} km', approx_pc: 'Position approximative (centre de {p})', approx_c: 'Position approximative (dans la commune de {c})',
      old_call: "Coordonnées de {y} : appelle avant d'y aller.", old_check: "Coordonnées de {y} : vérifie avant d'y aller.", about_y: '{y} environ',
      report: 'Signaler une erreur', report_subject: "Erreur dans l'annuaire : {n} ({id})", nearest_many: 'les plus proches :',
      competent_planning: 'Planning familial', off: 'fermé',
      maybe_wrong: 'Ces informations peuvent avoir changé : vérifie-les auprès du service.'
    },
    nl: {
      skip: 'Naar de resultaten', title: 'Hulp vinden dicht bij jou', about_q: 'Wat is een AMO?',
      about: '<p>Een <strong>AMO</strong> (service d’action en milieu ouvert) helpt jongeren en hun gezin waar ze leven: thuis, op school, in de buurt. Je gaat er <strong>vrijwillig</strong> naartoe, het is <strong>gratis</strong> en <strong>vertrouwelijk</strong>. Naargelang de AMO tot 18 of tot 22 jaar.</p><p>Het <strong>OCMW/CPAS</strong> van je gemeente zorgt voor sociale hulp, het <strong>centrum voor gezinsplanning</strong> voor relaties, seksualiteit en gezondheid, de <strong>Service Droit des Jeunes</strong> voor je rechten.</p><p class="small">Bronnen: de pagina’s van de diensten zelf, per fiche vermeld.</p>',
      q_label: 'Een dienst, een gemeente, een woord', q_hint: 'Bijvoorbeeld: Schaerbeek, planning Ixelles',
      where_label: 'Je postcode of gemeente', cat_label: 'Soort dienst', cat_all: 'Alle',
      cat_planning: 'Gezinsplanning', cat_sdj: 'Service Droit des Jeunes', age_label: 'Ik ben … jaar',
      open_label: 'Nu open', submit: 'Zoeken', near_me: 'Dicht bij mij',
      foot: 'Deze gids bewaart je positie en je zoekopdrachten niet en laadt niets van een andere site. Open data: <a href="/api/listings.geojson">GeoJSON</a>, <a href="/ogc">OGC API</a>, <a href="/tiles.json">vectortegels</a>.',
      cat: { amo: 'AMO (hulp in open milieu)', cpas: 'OCMW/CPAS', planning: 'Gezinsplanning', sdj: 'Service Droit des Jeunes' },
      open: 'nu open', closed: 'gesloten', hours: 'Openingsuren: ', ages: 'Van {a} tot {b} jaar',
      km: 'op {d} km', tel: 'Tel. ', web: 'Website', n: '{n} diensten.', n1: '1 dienst.',
      none: 'Geen dienst gevonden. Probeer een ander woord of je postcode.',
      results: 'Resultaten voor “{q}”', nearest: 'Het dichtst bij {w}', nearme: 'jouw positie',
      all: 'Alle diensten: {c}', loading: 'Zoeken…', for: 'Voor de gemeente {c}',
      competent_cpas: 'Bevoegd OCMW/CPAS', competent_amo: 'AMO', competent_sdj: 'Service Droit des Jeunes',
      notyet: 'nog niet in de gids', nearest_one: 'dichtstbijzijnde:', unknown: 'Onbekende postcode of gemeente: “{w}”.',
      geo_no: 'Positie geweigerd of niet beschikbaar: typ je postcode.',
      days: { Mo: 'ma', Tu: 'di', We: 'wo', Th: 'do', Fr: 'vr', Sa: 'za', Su: 'zo', PH: 'feestdagen' },
      h247: 'dag en nacht, 7 dagen op 7', error: 'De dienst antwoordt niet. Probeer het zo opnieuw.',
      map: 'Kaart van de diensten (de lijst toont dezelfde resultaten)', sel: 'Gekozen op de kaart',
      km_approx: '≈ {d} km', approx_pc: 'Geschatte ligging (centrum van {p})', approx_c: 'Geschatte ligging (in de gemeente {c})',
      old_call: 'Gegevens van {y}: bel voor je gaat.', old_check: 'Gegevens van {y}: kijk het na voor je gaat.', about_y: 'rond {y}',
      report: 'Een fout melden', report_subject: 'Fout in de gids: {n} ({id})', nearest_many: 'dichtstbijzijnde:',
      competent_planning: 'Gezinsplanning', off: 'gesloten',
      maybe_wrong: 'Deze gegevens kunnen veranderd zijn: vraag het na bij de dienst.',
      legend_exact: 'adres bekend', legend_approx: 'geschatte ligging: centrum van de postcode of gemeente, niet het juiste adres'
    },
    en: {
      skip: 'Skip to the results', title: 'Find help near you', about_q: 'What is an AMO?',
      about: '<p>An <strong>AMO</strong> (service d’action en milieu ouvert) helps young people and their families where they live: at home, at school, in the neighbourhood. You go there <strong>of your own free will</strong>; it is <strong>free</strong> and <strong>confidential</strong>. Depending on the AMO, up to 18 or up to 22.</p><p>Your commune’s <strong>CPAS</strong> gives social aid, a <strong>family planning centre</strong> helps with relationships, sexuality and health, the <strong>Service Droit des Jeunes</strong> with your rights.</p><p class="small">Sources: the services’ own pages, cited for each listing.</p>',
      q_label: 'A service, a town, a word', q_hint: 'For example: Schaerbeek, planning Ixelles',
      where_label: 'Your postcode or town', cat_label: 'Kind of service', cat_all: 'All',
      cat_planning: 'Family planning', cat_sdj: 'Service Droit des Jeunes (youth rights)', age_label: 'I am … years old',
      open_label: 'Open now', submit: 'Search', near_me: 'Near me',
      foot: 'This directory keeps neither your position nor your searches, and loads nothing from another site. Open data: <a href="/api/listings.geojson">GeoJSON</a>, <a href="/ogc">OGC API</a>, <a href="/tiles.json">vector tiles</a>.',
      cat: { amo: 'AMO (open youth aid)', cpas: 'CPAS (social aid)', planning: 'Family planning', sdj: 'Service Droit des Jeunes' },
      open: 'open now', closed: 'closed', hours: 'Opening hours: ', ages: 'Ages {a} to {b}',
      km: '{d} km away', tel: 'Tel. ', web: 'Website', n: '{n} services.', n1: '1 service.',
      none: 'No service found. Try another word, or your postcode.',
      results: 'Results for “{q}”', nearest: 'Nearest to {w}', nearme: 'your position',
      all: 'All services: {c}', loading: 'Searching…', for: 'For the commune of {c}',
      competent_cpas: 'Competent CPAS', competent_amo: 'AMO', competent_sdj: 'Service Droit des Jeunes',
      notyet: 'not in the directory yet', nearest_one: 'nearest:', unknown: 'Unknown postcode or town: “{w}”.',
      geo_no: 'Position refused or unavailable: type your postcode instead.',
      days: { Mo: 'Mon', Tu: 'Tue', We: 'Wed', Th: 'Thu', Fr: 'Fri', Sa: 'Sat', Su: 'Sun', PH: 'public holidays' },
      h247: '24 hours a day, 7 days a week', error: 'The service does not answer. Try again in a moment.',
      map: 'Map of the services (the list gives the same results)', sel: 'Selected on the map',
      km_approx: '≈ {d} km', approx_pc: 'Approximate position (centre of {p})', approx_c: 'Approximate position (in the commune of {c})',
      old_call: 'Contact details from {y}: call before you go.', old_check: 'Contact details from {y}: check before you go.', about_y: 'about {y}',
      report: 'Report an error', report_subject: 'Error in the directory: {n} ({id})', nearest_many: 'nearest:',
      competent_planning: 'Family planning', off: 'closed',
      maybe_wrong: 'These details may have changed: check them with the service.',
      legend_exact: 'address known', legend_approx: 'approximate position: centre of the postcode or commune, not the exact address'
    }
  };
  var lang = 'fr';
  function t(key, vars) {
    var s = (T[lang][key] !== undefined ? T[lang] : T.fr)[key];
    for (var k in vars || {}) s = s.replace('{' + k + '}', vars[k]);
    return s;
  }
  function applyLang() {
    document.documentElement.lang = lang;
    if (lang === 'fr') return; /* the HTML is French */
    document.querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.dataset.i18n);
    });
    document.querySelectorAll('[data-i18n-html]').forEach(function (el) {
      el.innerHTML = t(el.dataset.i18nHtml); /* our own strings only */
    });
    document.querySelectorAll('.langs a').forEach(function (a) {
      if (a.dataset.lang === lang) a.setAttribute('aria-current', 'true');
    });
  }

  /* ---- state <-> URL --------------------------------------------- */
  var state = { q: '', where: '', cat: '', age: '', open: '', sel: '', lang: '' };
  var pos = null;        /* {lat, lon, label}: never put in the URL */
  var features = [];     /* the listed features, in list order */
  var map = null, reqNo = 0;

  function readUrl() {
    var p = new URLSearchParams(location.search);
    for (var k in state) state[k] = p.get(k) || '';
    if (state.cat && CATS.indexOf(state.cat) < 0) state.cat = '';
    lang = T[state.lang] ? state.lang : 'fr';
  }
  function writeUrl(push) {
    var p = new URLSearchParams();
    for (var k in state) if (state[k]) p.set(k, state[k]);
    var url = location.pathname + (p.toString() ? '?' + p : '');
    if (url !== location.pathname + location.search)
      history[push ? 'pushState' : 'replaceState'](null, '', url);
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

  /* ---- helpers ----------------------------------------------------- */
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok && r.status !== 404) throw new Error(r.status);
      return r.ok ? r.json() : null;
    });
  }
  function distance(lat1, lon1, lat2, lon2) { /* haversine, metres */
    var R = 6371008.8, r = Math.PI / 180;
    var a = Math.pow(Math.sin((lat2 - lat1) * r / 2), 2) +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin((lon2 - lon1) * r / 2), 2);
    return 2 * R * Math.asin(Math.sqrt(a));
  }
  function telUri(phone) { /* "02/435.50.90" -> "+3224355090" (RFC 3966) */
    if (!/^[+\d][\d .\/()-]*$/.test(phone)) return null;
    var d = phone.replace(/[^\d+]/g, '');
    if (d.indexOf('00') === 0) d = '+' + d.slice(2);
    else if (d[0] === '0') d = '+32' + d.slice(1);
    return d.length >= 9 ? d : null;
  }

  /* OpenStreetMap opening_hours, the subset the directory holds ("24/7",
   * "Mo-Fr 09:00-12:00,13:00-16:00; Sa 10:00-12:00; PH off"), as
   * lib/hours.c reads it (the importer refuses anything else): a later
   * rule replaces what an earlier one said of a day, a day no rule names
   * is closed, and on a Belgian public holiday only a PH rule counts.
   * Returns true/false, or null when unknown (a holiday the hours say
   * nothing about, or text beyond the subset): then no status is shown
   * rather than a guess. */
  var DAYS = ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'];
  function brusselsNow() {
    var parts = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Brussels', weekday: 'short', year: 'numeric',
      month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date());
    var o = {};
    parts.forEach(function (p) { o[p.type] = p.value; });
    return { day: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(o.weekday),
      min: (+o.hour % 24) * 60 + +o.minute, y: +o.year, m: +o.month, d: +o.day };
  }
  /* The ten legal holidays (Easter-based ones from the Gregorian
   * computus), and 27 September for the services the Fédération
   * Wallonie-Bruxelles approves (AMO, SDJ): lib/hours.c hours_holiday. */
  function holiday(y, m, d, fwb) {
    var fixed = ['1-1', '5-1', '7-21', '8-15', '11-1', '11-11', '12-25'];
    if (fixed.indexOf(m + '-' + d) >= 0 || (fwb && m === 9 && d === 27)) return true;
    var a = y % 19, b = Math.floor(y / 100), c = y % 100, dd = Math.floor(b / 4), e = b % 4;
    var f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
    var h = (19 * a + b - dd - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
    var l = (32 + 2 * e + 2 * i - h - k) % 7, mm = Math.floor((a + 11 * h + 22 * l) / 451);
    var em = Math.floor((h + l - 7 * mm + 114) / 31), ed = (h + l - 7 * mm + 114) % 31 + 1;
    var diff = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(y, em - 1, ed)) / 86400000);
    return diff === 1 || diff === 39 || diff === 50;
  }
  function ohOpen(oh, now, cat) {
    oh = (oh || '').trim();
    if (!oh) return null;
    if (oh === '24/7') return true;
    var spans = {}, rules = oh.split(';');
    for (var i = 0; i < rules.length; i++) {
      var m = /^((?:Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:[-,](?:Mo|Tu|We|Th|Fr|Sa|Su|PH))*)\s+(off|closed|\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$/.exec(rules[i].trim());
      if (!m) return null;
      var times = /^(off|closed)$/.test(m[2]) ? [] : m[2].split(',').map(function (span) {
        return span.split('-').map(function (hm) { var v = hm.split(':'); return +v[0] * 60 + +v[1]; });
      });
      m[1].split(',').forEach(function (d) {
        if (d === 'PH') { spans.PH = times; return; }
        var ab = d.split('-'), a = DAYS.indexOf(ab[0]), b = DAYS.indexOf(ab[1] || ab[0]);
        for (var k = a; ; k = (k + 1) % 7) { spans[k] = times; if (k === b) break; }
      });
    }
    var today = now.day;
    if (holiday(now.y, now.m, now.d, cat === 'amo' || cat === 'sdj')) {
      if (!spans.PH) return null;
      today = 'PH';
    }
    return (spans[today] || []).some(function (x) { return now.min >= x[0] && now.min < x[1]; });
  }
  function ohText(oh) {
    if (oh.trim() === '24/7') return t('h247');
    return oh.replace(/\b(Mo|Tu|We|Th|Fr|Sa|Su|PH)\b/g, function (d) { return t('days')[d]; })
      .replace(/\b(off|closed)\b/g, t('off'));
  }

  /* ---- rendering ----------------------------------------------------- */
  /* A listing placed at a postcode's or commune's centre (lib/tileset.c
   * tileset_pos_approx): its distance is shown in whole kilometres. */
  function isApprox(p) { return p.position_source === 'postcode' || p.position_source === 'commune'; }
  function distText(p, m) {
    if (isApprox(p)) return t('km_approx', { d: Math.max(1, Math.round(m / 1000)) });
    return t('km', { d: (Math.round(m / 100) / 10).toLocaleString(lang, { minimumFractionDigits: 1 }) });
  }
  /* The source's own date (lib/srcdate.c): "2019", "2019-05", "2008/2017";
   * returns the year to show, or null when the source is not older than
   * three years (or has no date). */
  function oldSourceYear(sd) {
    var m = /^(\d{4})(?:-(\d\d)(?:-(\d\d))?)?(?:\/(\d{4})(?:-(\d\d)(?:-(\d\d))?)?)?$/.exec(sd || '');
    if (!m) return null;
    var y1 = +m[1], y2 = m[4] ? +m[4] : y1, mo = m[4] ? m[5] : m[2], da = m[4] ? m[6] : m[3];
    var last = y2 * 10000 + (mo ? +mo : 12) * 100 + (da ? +da : 31);
    var n = new Date(), today = n.getUTCFullYear() * 10000 + (n.getUTCMonth() + 1) * 100 + n.getUTCDate();
    if (last >= today - 30000) return null;
    var y = Math.floor((y1 + y2) / 2);
    return y1 !== y2 ? t('about_y', { y: y }) : String(y);
  }
  function card(f, selected) {
    var p = f.properties, id = p.id, c = f.geometry.coordinates;
    var h = '<li class="card' + (selected ? ' selected' : '') + '" id="l-' + id + '" data-id="' + id +
      '" data-lon="' + c[0] + '" data-lat="' + c[1] + '"><article aria-labelledby="n-' + id + '">' +
      '<h3 id="n-' + id + '"><a href="?' + esc(linkState(id)) + '">' + esc(p.name) + '</a></h3>' +
      '<p class="meta"><span class="cat cat-' + esc(p.category) + '">' + esc(t('cat')[p.category] || p.category) + '</span>';
    if (p.distance_m != null) h += ' <span class="dist">' + distText(p, p.distance_m) + '</span>';
    h += '</p><p class="addr">' + esc([p.street, [p.postcode, p.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ')) + '</p>';
    if (isApprox(p)) h += '<p class="approx">' + esc(p.position_source === 'commune' ? t('approx_c', { c: p.commune || '' })
      : t('approx_pc', { p: [p.postcode, p.commune].filter(Boolean).join(' ') })) + '</p>';
    var oy = oldSourceYear(p.source_date);
    if (oy) h += '<p class="old">' + esc(t(p.phone ? 'old_call' : 'old_check', { y: oy })) + '</p>';
    if (p.description) h += '<p class="desc">' + esc(p.description) + '</p>';
    var tel = p.phone && telUri(p.phone), li = '';
    if (tel) li += '<li><a href="tel:' + tel + '">' + t('tel') + esc(p.phone) + '</a></li>';
    if (p.email && !/["<>?&]/.test(p.email)) li += '<li><a href="mailto:' + esc(p.email) + '">' + esc(p.email) + '</a></li>';
    if (/^https?:\/\//.test(p.website || '')) li += '<li><a href="' + esc(p.website) + '" rel="noopener noreferrer">' + t('web') + '</a></li>';
    if (li) h += '<ul class="contact">' + li + '</ul>';
    if (p.age_min != null && p.age_max != null) h += '<p class="ages">' + t('ages', { a: p.age_min, b: p.age_max }) + '</p>';
    if (p.opening_hours) {
      var o = ohOpen(p.opening_hours, brusselsNow(), p.category);
      h += '<p class="hours">' + t('hours') + esc(ohText(p.opening_hours)) +
        (o === null ? '' : ' <strong class="' + (o ? 'open' : 'closed') + '">' + t(o ? 'open' : 'closed') + '</strong>') + '</p>';
    }
    var to = document.body.dataset.report;
    h += '<p class="report">' + (to ? '<a href="mailto:' + esc(to) + '?subject=' +
      encodeURIComponent(t('report_subject', { n: p.name, id: id })) + '">' + t('report') + '</a>' : esc(t('maybe_wrong'))) + '</p>';
    return h + '</article></li>';
  }
  function linkState(id) {
    var p = new URLSearchParams();
    for (var k in state) if (state[k] && k !== 'sel') p.set(k, state[k]);
    p.set('sel', id);
    return p.toString();
  }
  function heading() {
    if (state.q) return t('results', { q: state.q });
    if (pos) return t('nearest', { w: pos.label || t('nearme') });
    return t('all', { c: t('cat')[state.cat || 'amo'] });
  }
  function render(fs, note) {
    features = fs;
    var sel = state.sel;
    $('results-title').textContent = heading();
    $('list').innerHTML = fs.map(function (f) { return card(f, String(f.properties.id) === sel); }).join('');
    var n = fs.length;
    $('status').textContent = (note ? note + ' ' : '') + (n === 0 ? t('none') : n === 1 ? t('n1') : t('n', { n: n }));
    showOnMap();
  }
  function renderCompetence(j) {
    if (!j || !j.commune) { $('competence').innerHTML = ''; return; }
    var link = function (f) {
      return '<a href="?' + esc(linkState(f.properties.id)) + '" data-id="' + f.properties.id + '">' + esc(f.properties.name) + '</a>';
    };
    /* none known to serve the commune: the nearest, said as such */
    var row = function (label, fs, nearest) {
      nearest = nearest || [];
      return '<dt>' + esc(label) + '</dt><dd>' + (fs.length ? fs.map(link).join(', ')
        : nearest.length ? esc(t(nearest.length > 1 ? 'nearest_many' : 'nearest_one')) + ' ' + nearest.map(function (f) {
          return link(f) + ' (' + esc(distText(f.properties, f.properties.distance_m)) + ')';
        }).join(', ')
        : t('notyet')) + '</dd>';
    };
    var name = lang === 'nl' ? j.commune.name_nl || j.commune.name_fr : j.commune.name_fr;
    $('competence').innerHTML = '<h2 id="competence-title">' + esc(t('for', { c: name })) + '</h2><dl>' +
      row(t('competent_cpas'), j.cpas ? [j.cpas] : []) + row(t('competent_amo'), j.amo || [], j.amo_nearest) +
      row(t('competent_sdj'), j.sdj || [], j.sdj_nearest ? [j.sdj_nearest] : []) +
      row(t('competent_planning'), j.planning || [], j.planning_nearest) + '</dl>';
    $('competence').querySelectorAll('a[data-id]').forEach(function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        var all = [].concat(j.cpas ? [j.cpas] : [], j.amo || [], j.amo_nearest || [], j.sdj || [],
          j.sdj_nearest ? [j.sdj_nearest] : [], j.planning || [], j.planning_nearest || []);
        var f = all.filter(function (x) { return String(x.properties.id) === a.dataset.id; })[0];
        select(a.dataset.id, f, true);
      });
    });
  }

  /* ---- searching ------------------------------------------------------- */
  function filterAndSort(fs) {
    var age = state.age === '' ? -1 : +state.age, now = brusselsNow();
    fs = fs.filter(function (f) {
      var p = f.properties;
      if (state.cat && p.category !== state.cat) return false;
      if (age >= 0 && ((p.age_min != null && p.age_min > age) || (p.age_max != null && p.age_max < age))) return false;
      if (state.open === '1' && ohOpen(p.opening_hours, now, p.category) !== true) return false;
      return true;
    });
    if (pos) {
      fs.forEach(function (f) {
        var c = f.geometry.coordinates;
        f.properties.distance_m = Math.round(distance(pos.lat, pos.lon, c[1], c[0]));
      });
      fs.sort(function (a, b) { return a.properties.distance_m - b.properties.distance_m; });
    }
    return fs;
  }
  function locateWhere() { /* the typed postcode or commune -> pos */
    var w = state.where;
    if (!w) return Promise.resolve(null);
    var url = /^\d{4}$/.test(w) ? '/api/communes/' + w : '/api/communes?name=' + encodeURIComponent(w);
    return getJSON(url).then(function (j) {
      if (!j) return { unknown: true };
      pos = { lat: j.commune.center[1], lon: j.commune.center[0], label: lang === 'nl' ? j.commune.name_nl : j.commune.name_fr };
      return j;
    });
  }
  function run(push) {
    var my = ++reqNo, note = '';
    var done = function () { if (my === reqNo) $('results').setAttribute('aria-busy', 'false'); };
    writeUrl(push);
    $('results').setAttribute('aria-busy', 'true');
    $('status').textContent = t('loading');
    var where = state.where ? locateWhere() : Promise.resolve(pos && pos.geo ? 'geo' : null);
    if (state.where && pos && !pos.geo) pos = null;
    return where.then(function (j) {
      if (j && j.unknown) { pos = null; note = t('unknown', { w: state.where }); renderCompetence(null); }
      else if (j && j.commune) renderCompetence(j);
      else if (j === 'geo') getJSON('/api/communes?lat=' + pos.lat.toFixed(5) + '&lon=' + pos.lon.toFixed(5)).then(renderCompetence, function () {});
      else { renderCompetence(null); if (!state.where && pos && !pos.geo) pos = null; }
      var cat = state.cat ? '&category=' + state.cat : '';
      if (state.q) {
        var near = pos ? '&near=' + pos.lat.toFixed(5) + ',' + pos.lon.toFixed(5) : '';
        return getJSON('/api/search?limit=50&q=' + encodeURIComponent(state.q) + cat + near);
      }
      if (pos) {
        var age = state.age ? '&age=' + state.age : '';
        var lim = state.open ? 50 : 20; /* most listings have no hours */
        return getJSON('/api/nearest?limit=' + lim + '&lat=' + pos.lat.toFixed(5) + '&lon=' + pos.lon.toFixed(5) + cat + age);
      }
      return getJSON('/api/listings.geojson?category=' + (state.cat || 'amo')).then(function (fc) {
        fc.features.sort(function (a, b) { return a.properties.name.localeCompare(b.properties.name, 'fr'); });
        return fc;
      });
    }).then(function (fc) {
      if (my !== reqNo) return; /* a newer search has started */
      var fs = filterAndSort((fc && fc.features) || []);
      if (!state.sel) return render(fs, note);
      var have = fs.filter(function (f) { return String(f.properties.id) === state.sel; })[0];
      if (have) { render(fs, note); return select(state.sel, have, false); }
      return getJSON('/api/listings/' + encodeURIComponent(state.sel)).then(function (f) {
        if (my !== reqNo) return;
        render(f ? [f].concat(fs) : fs, note);
        if (f) select(state.sel, f, false);
      });
    }).catch(function () {
      if (my === reqNo) $('status').textContent = t('error');
    }).then(done);
  }

  function select(id, f, focus) {
    state.sel = String(id);
    writeUrl(true);
    var li = $('l-' + id);
    if (!li && f) { /* a point on the map or a competent service not listed */
      features.unshift(f);
      $('list').insertAdjacentHTML('afterbegin', card(f, true));
      li = $('l-' + id);
    }
    document.querySelectorAll('.card.selected').forEach(function (e) { e.classList.remove('selected'); });
    if (li) {
      li.classList.add('selected');
      li.scrollIntoView({ block: 'nearest' });
      if (focus) li.querySelector('h3 a').focus();
    }
    var g = f || features.filter(function (x) { return String(x.properties.id) === String(id); })[0];
    if (map && g) {
      map.easeTo({ center: g.geometry.coordinates, zoom: Math.max(map.getZoom(), 13) });
      if (map.getSource('selected')) map.getSource('selected').setData({ type: 'FeatureCollection', features: [g] });
      if (map.getLayer('selected-tiles')) map.setFilter('selected-tiles', ['in', ['get', 'id'], ['literal', [+id]]]);
    }
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
        sugItems = fc.features;
        sugActive = -1;
        var ul = $('suggest');
        ul.innerHTML = sugItems.map(function (f, i) {
          return '<li role="option" id="sug-' + i + '" aria-selected="false">' + esc(f.properties.name) +
            ' <span class="sub">' + esc(f.properties.commune || '') + '</span></li>';
        }).join('');
        ul.hidden = sugItems.length === 0;
        $('q').setAttribute('aria-expanded', String(!ul.hidden));
      }, function () {});
    }, 200);
  }
  function closeSuggest() {
    $('suggest').hidden = true; $('suggest').innerHTML = ''; sugItems = [];
    $('q').setAttribute('aria-expanded', 'false'); $('q').removeAttribute('aria-activedescendant');
  }
  function pickSuggestion(i) {
    var f = sugItems[i];
    closeSuggest();
    formToState();
    state.sel = String(f.properties.id);
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
  function loadMap() {
    if (!hasWebGL2()) return;
    var css = document.createElement('link');
    css.rel = 'stylesheet'; css.href = '/vendor/maplibre-gl.css';
    document.head.appendChild(css);
    var s = document.createElement('script');
    s.src = '/vendor/maplibre-gl.js';
    s.onload = function () { basemapSource().then(startMap); };
    document.head.appendChild(s);
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
        var text = (lang === 'nl' ? q.name_nl || q.name_fr : q.name_fr || q.name_nl) || '';
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
    el.hidden = false;
    var style = { version: 8, sources: { listings: { type: 'vector', url: location.origin + '/tiles.json' } },
      layers: [{ id: 'bg', type: 'background', paint: { 'background-color': base ? '#dfe6ec' : '#eef1f4' } }] };
    if (base) {
      style.sources.basemap = { type: 'vector', url: location.origin + '/tiles/basemap.json' };
      style.layers = style.layers.concat(basemapLayers(base));
    }
    var catColor = ['match', ['get', 'category']].concat(CATS.reduce(function (a, c) { return a.concat([c, COLORS[c]]); }, []), ['#555']);
    style.layers.push(
      { id: 'clusters', type: 'circle', source: 'listings', 'source-layer': 'listings', filter: ['has', 'point_count'],
        paint: { 'circle-color': '#2b3a55', 'circle-opacity': 0.8, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2,
          'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 10, 50, 20, 300, 30] } },
      { id: 'points', type: 'circle', source: 'listings', 'source-layer': 'listings', filter: ['!', ['has', 'point_count']],
        paint: pointPaint(catColor, 6, '#fff', 1.5) });
    map = new maplibregl.Map({ container: el, style: style, bounds: [[2.54, 49.49], [6.41, 51.51]], maxZoom: 18,
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
      /* a failed fetch (the page going away, the server gone) selects nothing */
      getJSON('/api/listings/' + id).then(function (f) { if (f) select(id, f, true); }, function () {});
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
  function featuresFromDom() { /* what the server rendered, for the map */
    return [].map.call(document.querySelectorAll('#list .card'), function (li) {
      return { type: 'Feature', geometry: { type: 'Point', coordinates: [+li.dataset.lon, +li.dataset.lat] },
        properties: { id: +li.dataset.id, category: (li.querySelector('.cat').className.match(/cat-(\w+)/) || [])[1] } };
    });
  }
  function init() {
    readUrl();
    applyLang();
    stateToForm();
    features = featuresFromDom();
    $('open-field').hidden = false;
    if ('geolocation' in navigator) $('locate').hidden = false;
    document.querySelectorAll('.langs a').forEach(function (a) {
      a.addEventListener('click', function (e) { /* keep the search */
        e.preventDefault(); state.lang = a.dataset.lang === 'fr' ? '' : a.dataset.lang; writeUrl(true); location.reload();
      });
    });
    $('search').addEventListener('submit', function (e) {
      e.preventDefault(); closeSuggest(); formToState(); state.sel = ''; run(true);
    });
    ['cat', 'open'].forEach(function (id) {
      $(id).addEventListener('change', function () { formToState(); run(true); });
    });
    $('age').addEventListener('change', function () { formToState(); run(true); });
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
        pos = { lat: p.coords.latitude, lon: p.coords.longitude, geo: true };
        formToState(); state.where = ''; state.q = ''; state.sel = ''; stateToForm();
        run(true);
      }, function () { $('status').textContent = t('geo_no'); $('where').focus(); },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
    });
    $('list').addEventListener('click', function (e) {
      var a = e.target.closest('h3 a');
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      select(a.closest('.card').dataset.id, null, false);
    });
    window.addEventListener('popstate', function () { readUrl(); stateToForm(); run(false); });
    /* The server rendered the list for this URL; redo it with the open-now
     * statuses, the visitor's language and the map's data. */
    run(false);
    loadMap();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
