// browser.mjs - the public page and the widget in Debian's Chromium
// (headless, driven by playwright-core) against a real amo-server.
//
//   node tests/web/browser.mjs PORT SCREENSHOT_DIR
//
// Prints one line per check, "ok NAME" or "not ok NAME: why", and
// "figure NAME VALUE" lines; tests/test_web.c runs it and turns each
// line into a cmocka test. Every request to a host other than the
// server's is aborted and recorded (and Chromium cannot resolve any other
// host at all), so a third-party request fails the run.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const port = process.argv[2];
const shots = process.argv[3] || 'build/screenshots';
const base = `http://127.0.0.1:${port}`;
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/* HTML_CodeSniffer, the engine pa11y runs, as a second opinion beside axe. */
const htmlcsSource = readFileSync(require.resolve('html_codesniffer/build/HTMLCS.js'), 'utf8');
mkdirSync(shots, { recursive: true });

const foreign = [];
const scriptErrors = []; /* uncaught exceptions, CSP violations */
const say = (s) => process.stdout.write(s + '\n');
function assert(cond, msg) { if (!cond) throw new Error(msg); }

async function check(name, fn) {
  /* ONLY=REGEX runs only the checks it names (while developing) */
  if (process.env.ONLY && !new RegExp(process.env.ONLY).test(name)) return;
  try {
    await fn();
    say(`ok ${name}`);
  } catch (e) {
    say(`not ok ${name}: ${String(e.message || e).split('\n')[0]}`);
    if (process.env.ONLY) say(String(e.message || e).split('\n').slice(1, 14).join('\n'));
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});

async function newContext(opts = {}, intercept = true) {
  /* The offline worker (web/sw.js) only where a check asks for it: the
   * other checks measure the network, not the worker's copy. */
  const ctx = await browser.newContext({ locale: 'fr-BE', timezoneId: 'Europe/Brussels',
    viewport: { width: 1280, height: 800 }, serviceWorkers: 'block', ...opts });
  if (intercept) await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(base + '/')) return route.continue();
    foreign.push(u);
    return route.abort('blockedbyclient');
  });
  ctx.on('page', (pg) => {
    pg.on('pageerror', (e) => scriptErrors.push(String(e.message || e)));
    pg.on('console', (m) => {
      /* a 404 for /tiles/basemap.json (a server without the basemap) or a
       * request this script aborted is expected, not a script error */
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) scriptErrors.push(m.text());
    });
  });
  ctx.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base + '/') && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  return ctx;
}
async function cards(page) {
  return page.$$eval('#list .card', (els) => els.map((e) => ({
    id: e.dataset.id, text: e.textContent, cat: (e.querySelector('.cat').className.match(/cat-(\w+)/) || [])[1],
    dist: e.querySelector('.dist') ? e.querySelector('.dist').textContent : null,
    selected: e.classList.contains('selected'),
  })));
}
function km(s) { return parseFloat(s.replace(/[^\d,.]/g, '').replace(',', '.')); }
async function waitHeading(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('results-title').textContent)
    && document.getElementById('results').getAttribute('aria-busy') === 'false', re.source, { timeout: 5000, polling: 100 });
}

/* waitHeading polled from here: a page whose clock is fixed
 * (page.clock.setFixedTime) never ends a waitForFunction. */
async function pollHeading(page, re) {
  for (let i = 0; i < 100; i++) {
    const [h, busy] = await page.evaluate(() => [document.getElementById('results-title').textContent,
      document.getElementById('results').getAttribute('aria-busy')]);
    if (re.test(h) && busy === 'false') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('heading never matched ' + re);
}

const ctx = await newContext();
const page = await ctx.newPage();

await check('first_results_under_1s', async () => {
  /* Timed without interception (which routes each request through this
   * script); foreign requests are still recorded by the 'request' event,
   * and Chromium cannot resolve another host anyway. The page's own clock
   * is used: the list is in the server's HTML, so it is shown at the first
   * contentful paint. Five loads, the median counts: the machine is shared
   * and one load can be descheduled. */
  const quick = await newContext({}, false);
  const p = await quick.newPage();
  await p.goto(base + '/healthz'); /* the renderer process is started */
  const runs = [], walls = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await p.goto(base + '/?q=schaerbeek&i=' + i, { waitUntil: 'commit' });
    await p.waitForSelector('#list .card', { timeout: 5000 });
    walls.push(Date.now() - t0);
    await p.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length, null, { timeout: 5000 });
    const [dom, fcp] = await p.evaluate(() => [
      performance.getEntriesByType('navigation')[0].domInteractive,
      (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime]);
    assert(fcp > 0, 'no first contentful paint');
    runs.push(Math.round(Math.max(dom, fcp)));
  }
  await quick.close();
  const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  say(`figure first_results_ms_median ${median(runs)}`);
  say(`figure first_results_ms_all ${runs.join(',')}`);
  say(`figure first_results_wall_ms_median ${median(walls)}`);
  assert(median(runs) < 1000, `first results shown after ${median(runs)} ms (median)`);
});

await check('search_schaerbeek_opens_result', async () => {
  await page.goto(base + '/');
  await page.fill('#q', 'Schaerbeek');
  await page.waitForSelector('#suggest li[role=option]', { timeout: 5000 });
  const sugg = await page.$$eval('#suggest li', (l) => l.map((e) => e.textContent));
  assert(sugg.some((s) => /Schaerbeek/i.test(s)), 'no suggestion names Schaerbeek: ' + sugg.join(' | '));
  const t0 = Date.now();
  await page.press('#q', 'Enter');
  await waitHeading(page, /Schaerbeek/i);
  say(`figure search_results_ms ${Date.now() - t0}`);
  const cs = await cards(page);
  assert(cs.length >= 2, `only ${cs.length} results`);
  assert(cs.every((c) => /Schaerbeek|Schaarbeek/i.test(c.text)), 'a result does not mention Schaerbeek');
  assert(new URL(page.url()).searchParams.get('q') === 'Schaerbeek', 'q not in the URL: ' + page.url());
  await page.click(`#l-${cs[1].id} h3 a`);
  await page.waitForSelector(`#l-${cs[1].id}.selected`);
  assert(new URL(page.url()).searchParams.get('sel') === cs[1].id, 'sel not in the URL');
});

await check('suggestion_by_keyboard', async () => {
  await page.goto(base + '/');
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement.className) === 'skip', 'the skip link is not the first stop');
  await page.focus('#q');
  await page.keyboard.type('amos', { delay: 30 });
  await page.waitForSelector('#suggest li[role=option]', { timeout: 5000 });
  await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute('#q', 'aria-activedescendant');
  assert(active === 'sug-0', 'no active option: ' + active);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('sel'), null, { timeout: 5000 });
  await page.waitForSelector('.card.selected');
});

await check('postcode_typed_in', async () => {
  await page.goto(base + '/');
  await page.fill('#where', '5000');
  await page.click('button[type=submit]');
  await waitHeading(page, /Namur/);
  const cs = await cards(page);
  assert(cs.length >= 5, `only ${cs.length} results`);
  const d = cs.map((c) => km(c.dist));
  assert(d.every((x, i) => i === 0 || x >= d[i - 1]), 'not ordered by distance: ' + d.join(','));
  const comp = await page.textContent('#competence');
  assert(/Namur/.test(comp) && /CPAS/.test(comp), 'no competence box for Namur: ' + comp);
  assert(new URL(page.url()).searchParams.get('where') === '5000', 'where not in the URL');
  /* Schaerbeek: no SDJ branch is known to serve it; the script names the
   * nearest as the nearest, with its distance. */
  await page.fill('#where', '1030');
  await page.click('button[type=submit]');
  await waitHeading(page, /Schaerbeek/);
  await page.waitForFunction(() => /Schaerbeek/.test(document.querySelector('#competence').textContent));
  const c2 = await page.textContent('#competence');
  assert(/le plus proche : Service Droit des Jeunes de Bruxelles \(≈ \d+ km\)/.test(c2), 'no nearest SDJ for Schaerbeek: ' + c2);
});

await check('filters_category_age_open', async () => {
  await page.goto(base + '/?where=1030');
  await page.selectOption('#cat', 'cpas');
  await waitHeading(page, /Schaerbeek/);
  await page.waitForFunction(() => [...document.querySelectorAll('#list .cat')].every((e) => e.classList.contains('cat-cpas')));
  let cs = await cards(page);
  assert(cs.length > 0 && cs.every((c) => c.cat === 'cpas'), 'category filter: ' + cs.map((c) => c.cat));
  await page.selectOption('#cat', 'amo');
  await page.fill('#age', '21');
  await page.press('#age', 'Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('age') === '21');
  await waitHeading(page, /Schaerbeek/);
  cs = await cards(page);
  assert(cs.length > 0, 'no AMO for a 21-year-old near 1030');
  for (const c of cs) {
    const m = c.text.match(/De (\d+) à (\d+) ans/);
    assert(c.cat === 'amo' && (!m || (+m[1] <= 21 && +m[2] >= 21)), 'age filter let through: ' + c.text.slice(0, 80));
  }
  await page.selectOption('#cat', '');
  await page.fill('#age', '');
  await page.check('#open');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('open') === '1');
  await waitHeading(page, /Schaerbeek/);
  cs = await cards(page);
  assert(cs.every((c) => /ouvert maintenant/.test(c.text)), 'open-now filter let a closed or unknown listing through');
});

await check('opening_hours_open_and_closed', async () => {
  /* CPAS d'Uccle: "Mo-Fr 09:00-11:30" (data/listings/cpas.csv), at a
   * fixed Brussels time given by at= (the server says what is open):
   * Monday 23 November 2026 at 10:00, then at 20:00. */
  const p2 = await ctx.newPage();
  await p2.goto(base + '/?where=1180&cat=cpas&open=1&at=2026-11-23T10:00');
  await waitHeading(p2, /Uccle/);
  let cs = await cards(p2);
  const uccle = cs.find((c) => /CPAS d'Uccle/.test(c.text));
  assert(uccle && /ouvert maintenant/.test(uccle.text), 'CPAS d\'Uccle not open on Monday 10:00');
  assert(cs.every((c) => /ouvert maintenant/.test(c.text)), 'open now lets a listing through');
  await p2.goto(base + '/?where=1180&cat=cpas&at=2026-11-23T20:00');
  await waitHeading(p2, /Uccle/);
  cs = await cards(p2);
  const closed = cs.find((c) => /CPAS d'Uccle/.test(c.text));
  assert(closed && /fermé/.test(closed.text) && !/ouvert maintenant/.test(closed.text), 'CPAS d\'Uccle not closed at 20:00');
  assert(cs.some((c) => !/Horaires/.test(c.text)), 'a listing without hours shows hours');
  await p2.goto(base + '/?where=1180&cat=cpas&open=1&at=2026-11-23T20:00');
  await waitHeading(p2, /Uccle/);
  cs = await cards(p2);
  assert(!cs.some((c) => /CPAS d'Uccle/.test(c.text)), 'a closed listing passes the open-now filter');
  /* The script keeps at= when the search changes. */
  await p2.goto(base + '/?where=1180&cat=cpas&at=2026-11-23T10:00');
  await waitHeading(p2, /Uccle/);
  await p2.check('#open');
  await p2.waitForFunction(() => new URLSearchParams(location.search).get('open') === '1');
  await waitHeading(p2, /Uccle/);
  cs = await cards(p2);
  assert(cs.some((c) => /CPAS d'Uccle/.test(c.text)) && cs.every((c) => /ouvert maintenant/.test(c.text)),
    'the script lost the time of at=');
  await p2.close();
});

await check('public_holiday_leaves_out_unknown_hours', async () => {
  /* Wednesday 11 November 2026 (Armistice) at 10:00 in Brussels: CPAS
   * d'Uccle ("Mo-Fr 09:00-11:30", nothing said of holidays) is not known
   * to be open, so "open now" leaves it out and its card shows no status;
   * a 24/7 AMO stays open. The Wednesday after, it is open again. */
  const p2 = await ctx.newPage();
  await p2.goto(base + '/?where=1180&cat=cpas&open=1&at=2026-11-11T10:00');
  await waitHeading(p2, /Uccle/);
  let cs = await cards(p2);
  assert(!cs.some((c) => /CPAS d'Uccle/.test(c.text)), 'CPAS d\'Uccle listed as open on a public holiday');
  await p2.goto(base + '/?where=1180&cat=cpas&at=2026-11-11T10:00');
  await waitHeading(p2, /Uccle/);
  cs = await cards(p2);
  const u = cs.find((c) => /CPAS d'Uccle/.test(c.text));
  assert(u && /Horaires/.test(u.text) && !/ouvert maintenant|fermé/.test(u.text), 'a status was guessed on a holiday: ' + (u && u.text));
  await p2.goto(base + '/?where=1050&cat=amo&open=1&at=2026-11-11T10:00');
  await waitHeading(p2, /Ixelles/);
  cs = await cards(p2);
  assert(cs.some((c) => /SOS Jeunes/.test(c.text) && /ouvert maintenant/.test(c.text)), 'the 24/7 AMO is not open on a holiday');
  await p2.goto(base + '/?where=1180&cat=cpas&open=1&at=2026-11-18T10:00');
  await waitHeading(p2, /Uccle/);
  cs = await cards(p2);
  assert(cs.some((c) => /CPAS d'Uccle/.test(c.text)), 'CPAS d\'Uccle not open on an ordinary Wednesday');
  await p2.close();
});

await check('cards_say_how_sure_they_are', async () => {
  /* Liège: every listing sits at a postcode's centre. No card shows
   * "0,0 km"; each distance is "≈ N km" and the card says where the
   * point really is; the brochure's records (about 2008-2017) tell the
   * visitor to call first; every card links to "signaler une erreur". */
  await page.goto(base + '/?where=4000&cat=amo');
  await waitHeading(page, /Liège/);
  const cs = await cards(page);
  assert(cs.length >= 5, 'few AMO near Liège: ' + cs.length);
  assert(!cs.some((c) => /0,0 km/.test(c.text)), 'a card shows 0,0 km');
  assert(cs.every((c) => /^≈ \d+ km$/.test(c.dist)), 'an approximate distance is shown as exact: ' + cs.map((c) => c.dist));
  assert(cs.every((c) => /Position approximative \((centre de|dans la commune de) /.test(c.text)), 'an approximate card does not say so');
  const claj = cs.find((c) => /Rue Ernest de Bavière 6/.test(c.text));
  assert(claj && /Coordonnées de 2012 environ : appelle avant d'y aller/.test(claj.text), 'no old-source warning on the CLAJ: ' + (claj && claj.text));
  const mails = await page.$$eval('#list .card .report a', (as) => as.map((a) => a.getAttribute('href')));
  assert(mails.length === cs.length && mails.every((h) => h.startsWith('mailto:corrections@annuaire.test?subject=')), 'a card has no error report link');
  /* The competence box and the list measure from the same point. */
  await page.goto(base + '/?where=4000');
  await waitHeading(page, /Liège/);
  const box = await page.textContent('#competence');
  const m = /Service Droit des Jeunes \(permanence de Liège\) \((≈ \d+ km)\)/.exec(box);
  const sdj = (await cards(page)).find((c) => /Service Droit des Jeunes \(permanence de Liège\)/.test(c.text));
  assert(m && sdj && sdj.dist === m[1], `the SDJ is ${m && m[1]} in the box and ${sdj && sdj.dist} in the list`);
});

await check('no_amo_here_names_the_nearest', async () => {
  /* Bastogne: no AMO of the directory covers it; the box names the
   * nearest ones as the nearest, with their distances. */
  await page.goto(base + '/?where=6600');
  await waitHeading(page, /Bastogne/);
  await page.waitForFunction(() => /Bastogne/.test(document.querySelector('#competence').textContent));
  const box = await page.textContent('#competence');
  assert(/AMOles plus proches : [^)]+\(≈ \d+ km\)/.test(box), 'no nearest AMO for Bastogne: ' + box);
  assert(!/AMOpas encore/.test(box), 'the AMO row says only "pas encore dans l\'annuaire"');
});

await check('shared_url_restores_state', async () => {
  const fc = await (await fetch(base + '/api/search?q=planning&category=planning&limit=3')).json();
  const id = String(fc.features[2].id);
  const url = `${base}/?q=planning&cat=planning&age=16&sel=${id}`;
  const p2 = await ctx.newPage();
  await p2.goto(url);
  await waitHeading(p2, /planning/);
  assert(await p2.inputValue('#q') === 'planning', 'q not restored');
  assert(await p2.inputValue('#cat') === 'planning', 'category not restored');
  assert(await p2.inputValue('#age') === '16', 'age not restored');
  await p2.waitForSelector(`#l-${id}.selected`, { timeout: 5000 });
  const cs = await cards(p2);
  assert(cs.every((c) => c.cat === 'planning'), 'category filter not applied');
  await p2.close();
});

await check('widget_in_iframe', async () => {
  await page.goto(base + '/examples/widget.html');
  const frame = page.frameLocator('iframe');
  await frame.locator('.card').first().waitFor({ timeout: 5000 });
  const texts = await frame.locator('.card').allTextContents();
  assert(texts.length >= 2 && texts.some((t) => /AMOS/.test(t)), 'widget lists: ' + texts.length);
  assert(texts.every((t) => /AMO/.test(t)), 'widget lists a non-AMO');
  const emb = await fetch(base + '/embed?category=amo&commune=Schaerbeek');
  assert(/frame-ancestors \*/.test(emb.headers.get('content-security-policy')), 'embed not frameable');
  const home = await fetch(base + '/');
  assert(/frame-ancestors 'self'/.test(home.headers.get('content-security-policy')), 'page frameable by anyone');
});

await check('transfer_under_400kb', async () => {
  const p2 = await ctx.newPage();
  const cdp = await ctx.newCDPSession(p2);
  await cdp.send('Network.enable');
  const urls = new Map();
  let own = 0, vendor = 0, data = 0;
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    const u = new URL(urls.get(e.requestId) || base);
    if (u.pathname.startsWith('/vendor/')) vendor += e.encodedDataLength;
    else if (u.pathname.startsWith('/api/') || u.pathname.startsWith('/tiles')) data += e.encodedDataLength;
    else own += e.encodedDataLength;
  });
  await p2.goto(base + '/', { waitUntil: 'load' });
  await p2.waitForTimeout(2500); /* the script's requests, the map's tiles */
  say(`figure page_own_transfer_bytes ${own}`);
  say(`figure maplibre_transfer_bytes ${vendor}`);
  say(`figure data_transfer_bytes ${data}`);
  await p2.close();
  assert(own > 0 && own < 400 * 1024, `page's own transfer ${own} bytes`);
});

/* Floors that do not depend on the machine's speed (make bench-web has
 * Lighthouse's figures): on a phone and a wide screen, the first page, a
 * search and a situation log no console error at all (a missing file
 * included: the favicon was one), move less than 0.1 (layout shift: the
 * map's box is there from the first paint), and the page's own files
 * stay under their size before issue 14 (25,209 bytes). */
await check('page_floors_console_layout_transfer', async () => {
  for (const [w, h] of [[360, 740], [1280, 800]]) {
    for (const path of ['/', '/?q=schaerbeek', '/?besoin=dispute-parents&where=1000']) {
      const p2 = await ctx.newPage();
      await p2.setViewportSize({ width: w, height: h });
      const errors = [];
      p2.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      p2.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
      const cdp = await ctx.newCDPSession(p2);
      await cdp.send('Network.enable');
      const urls = new Map();
      let own = 0;
      cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
      cdp.on('Network.loadingFinished', (e) => {
        const u = new URL(urls.get(e.requestId) || base);
        if (!/^\/(vendor|api|tiles)/.test(u.pathname)) own += e.encodedDataLength;
      });
      await p2.addInitScript(() => {
        window.__cls = 0;
        new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
          .observe({ type: 'layout-shift', buffered: true });
      });
      await p2.goto(base + path, { waitUntil: 'load' });
      await p2.waitForTimeout(w > 900 ? 3000 : 1000); /* the map, when it loads */
      const cls = await p2.evaluate(() => window.__cls);
      say(`figure layout_shift_${w}${path === '/' ? '_first' : path.includes('q=') ? '_search' : '_situation'} ${cls.toFixed(3)}`);
      if (path === '/' && w < 900) say(`figure page_own_transfer_phone_bytes ${own}`);
      await p2.close();
      assert(errors.length === 0, `${w}px ${path}: ${errors.slice(0, 3).join(' | ')}`);
      assert(cls < 0.1, `${w}px ${path}: layout shift ${cls.toFixed(3)}`);
      /* 25,209 bytes at commit c07297b, when issue 14 asked for this
       * floor; 22,887 after it (the script minified). Issue 16's quick exit
       * (exit.js, loaded apart so that it works when the rest fails; the
       * button and its note), the no-trace forms and the worker's
       * registration bring it to 27,300 on the shipped data: the floor sits
       * just above, so that any further growth is a decision. */
      assert(own > 0 && own < 28000, `${w}px ${path}: own transfer ${own} bytes`);
    }
  }
});

for (const [w, h] of [[360, 740], [1280, 800]]) {
  await check(`screenshot_${w}x${h}`, async () => {
    const p2 = await ctx.newPage();
    await p2.setViewportSize({ width: w, height: h });
    await p2.goto(base + '/?where=1030');
    await waitHeading(p2, /Schaerbeek/);
    const webgl = await p2.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
    if (webgl) await p2.waitForSelector('#map[data-ready]', { timeout: 15000 }).catch(() => {});
    await p2.waitForTimeout(webgl ? 1500 : 100);
    say(`figure webgl2_${w} ${webgl ? 1 : 0}`);
    await p2.screenshot({ path: `${shots}/page-${w}x${h}.png` });
    const over = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(over <= 0, `page ${over}px wider than the ${w}px screen`);
    await p2.goto(base + '/embed?category=amo&commune=1030');
    await p2.screenshot({ path: `${shots}/widget-${w}x${h}.png` });
    await p2.close();
  });
}

await check('map_cluster_opens_on_click', async () => {
  const p2 = await ctx.newPage();
  await p2.goto(base + '/');
  /* Like the other map checks, this one needs WebGL2: without it the map
   * is not there to be clicked, and that is a failure, not a pass. */
  const webgl = await p2.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
  if (!webgl) await p2.close();
  assert(webgl, 'no WebGL2 in this browser: the map cannot be checked');
  await p2.waitForSelector('#map[data-ready]', { timeout: 15000 });
  /* the whole map on the screen: the clicks below are at its points */
  await p2.evaluate(() => { document.getElementById('map').scrollIntoView({ block: 'center' }); annuaireMap.jumpTo({ center: [4.4, 50.75], zoom: 7 }); });
  await p2.waitForFunction(() => annuaireMap.loaded() && annuaireMap.queryRenderedFeatures({ layers: ['clusters'] }).length > 0, null, { timeout: 10000 });
  const [x, y, z0] = await p2.evaluate(() => {
    const f = annuaireMap.queryRenderedFeatures({ layers: ['clusters'] })
      .sort((a, b) => b.properties.point_count - a.properties.point_count)[0];
    const pt = annuaireMap.project(f.geometry.coordinates);
    const r = annuaireMap.getCanvas().getBoundingClientRect();
    return [r.left + pt.x, r.top + pt.y, annuaireMap.getZoom()];
  });
  await p2.mouse.click(x, y);
  await p2.waitForFunction((z) => annuaireMap.getZoom() >= z + 1.9 && !annuaireMap.isMoving(), z0, { timeout: 5000 });
  /* a listing point selects its card */
  await p2.evaluate(() => annuaireMap.jumpTo({ center: [4.3737, 50.8676], zoom: 14 }));
  await p2.waitForFunction(() => annuaireMap.loaded() && annuaireMap.queryRenderedFeatures({ layers: ['points'] }).length > 0, null, { timeout: 10000 });
  const [px, py] = await p2.evaluate(() => {
    const f = annuaireMap.queryRenderedFeatures({ layers: ['points'] })[0];
    const pt = annuaireMap.project(f.geometry.coordinates);
    const r = annuaireMap.getCanvas().getBoundingClientRect();
    return [r.left + pt.x, r.top + pt.y];
  });
  await p2.mouse.click(px, py);
  await p2.waitForSelector('.card.selected', { timeout: 5000 });
  assert(await p2.isVisible('#legend'), 'no legend under the map');
  /* Schaerbeek's centre holds several listings: each its own point. */
  const same = await p2.evaluate(() => {
    const at = {}; /* a point in two tiles' buffers comes twice */
    annuaireMap.queryRenderedFeatures({ layers: ['points'] }).forEach((f) => {
      at[f.properties.id] = f.geometry.coordinates.map((v) => v.toFixed(6)).join();
    });
    const pts = Object.values(at);
    return pts.length < 3 ? -1 : pts.length - new Set(pts).size;
  });
  assert(same === 0, same + ' points drawn on another');
  assert(new URL(p2.url()).searchParams.get('sel'), 'the selected point is not in the URL');
  await p2.close();
});

/* Names and cluster counts are HTML over the canvas (app.js mapText),
 * since MapLibre text would need glyph files from a font server. */
async function mapAt(url, center, zoom) {
  const p2 = await ctx.newPage();
  await p2.goto(base + url);
  const webgl = await p2.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
  assert(webgl, 'no WebGL2 in this Chromium (SwiftShader flags?)');
  await p2.waitForSelector('#map[data-ready]', { timeout: 15000 });
  /* the names and counts are placed on 'idle', before this listener */
  await p2.evaluate(([c, z]) => new Promise((res) => {
    annuaireMap.jumpTo({ center: c, zoom: z });
    annuaireMap.once('idle', res);
  }), [center, zoom]);
  return p2;
}
async function waitName(p2, name) {
  await p2.waitForFunction((n) => [...document.querySelectorAll('#map .map-text span.name')]
    .some((e) => !e.hidden && e.textContent === n), name, { timeout: 15000, polling: 200 });
  /* shown inside the map, over its point, letting clicks through */
  return p2.evaluate((n) => {
    const e = [...document.querySelectorAll('#map .map-text span.name')].find((x) => !x.hidden && x.textContent === n);
    const r = e.getBoundingClientRect(), m = document.getElementById('map').getBoundingClientRect();
    const layer = e.parentElement;
    return { inside: r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom,
      pe: getComputedStyle(e).pointerEvents, hidden: layer.getAttribute('aria-hidden'),
      names: document.querySelectorAll('#map .map-text span.name:not([hidden])').length };
  }, name);
}
await check('map_names_municipalities_fr_nl', async () => {
  /* Brussels at zoom 11: municipalities' names in the page's language */
  let p2 = await mapAt('/', [4.37, 50.85], 11);
  let r = await waitName(p2, 'Schaerbeek');
  assert(r.inside && r.pe === 'none' && r.hidden === 'true', 'label: ' + JSON.stringify(r));
  assert(r.names <= 150, `${r.names} names`);
  say(`figure map_names_brussels_z11 ${r.names}`);
  await p2.close();
  p2 = await mapAt('/?lang=nl', [4.37, 50.85], 11);
  r = await waitName(p2, 'Schaarbeek');
  assert(r.inside, 'Schaarbeek outside the map');
  const fr = await p2.evaluate(() => [...document.querySelectorAll('#map .map-text span.name:not([hidden])')]
    .some((e) => e.textContent === 'Schaerbeek'));
  assert(!fr, 'the French name shown on the Dutch page');
  await p2.close();
});

await check('map_names_provinces_z7', async () => {
  /* names as in data/gazetteer/be-provinces.geojson */
  const p2 = await mapAt('/', [4.6, 50.45], 7);
  await waitName(p2, 'Province de Namur');
  await waitName(p2, 'Province du Hainaut');
  const dup = await p2.evaluate(() => {
    const n = [...document.querySelectorAll('#map .map-text span.name:not([hidden])')].map((e) => e.dataset.nis);
    return n.length - new Set(n).size;
  });
  assert(dup === 0, `${dup} names drawn twice`);
  await p2.close();
});

await check('map_cluster_counts', async () => {
  const p2 = await mapAt('/', [4.4, 50.75], 7);
  /* every cluster drawn has one count, centred on its circle (a
   * cluster's 64-bit id does not survive JavaScript, so by position) */
  const r = await p2.evaluate(() => {
    const m = document.getElementById('map').getBoundingClientRect();
    const spans = [...document.querySelectorAll('#map .map-text span.count:not([hidden])')].map((e) => {
      const b = e.getBoundingClientRect();
      return { text: e.textContent, x: b.left + b.width / 2 - m.left, y: b.top + b.height / 2 - m.top };
    });
    const out = annuaireMap.queryRenderedFeatures({ layers: ['clusters'] }).map((f) => {
      const pt = annuaireMap.project(f.geometry.coordinates);
      const at = spans.filter((s) => Math.abs(s.x - pt.x) < 2 && Math.abs(s.y - pt.y) < 2);
      return { n: f.properties.point_count, at: at.map((s) => s.text), x: Math.round(pt.x), y: Math.round(pt.y) };
    });
    return { out, counts: spans.length };
  });
  assert(r.out.length > 0, 'no cluster');
  for (const c of r.out)
    assert(c.at.length === 1 && c.at[0] === String(c.n),
      `cluster at ${c.x},${c.y} of ${c.n} shows ${JSON.stringify(c.at)}`);
  const places = new Set(r.out.map((c) => c.x + ',' + c.y)).size;
  assert(r.counts <= places, `${r.counts} counts for ${places} clusters`);
  say(`figure map_cluster_counts_z7 ${r.counts}`);
  await p2.close();
});

await check('example_maplibre_page', async () => {
  const p2 = await ctx.newPage();
  await p2.goto(base + '/examples/maplibre.html');
  const webgl = await p2.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
  if (webgl) await p2.waitForSelector('#amo li', { timeout: 15000 });
  const n = await p2.$$eval('#amo li', (l) => l.length);
  say(`figure example_amo_listed ${n}`);
  assert(!webgl || n > 10, `the example lists ${n} AMO`);
  await p2.close();
});

await check('near_me_geolocation', async () => {
  const g = await newContext({ geolocation: { latitude: 50.8672, longitude: 4.3779 }, permissions: ['geolocation'] });
  const p2 = await g.newPage();
  await p2.goto(base + '/');
  await p2.click('#locate');
  await waitHeading(p2, /proches/);
  const cs = await cards(p2);
  assert(cs.length >= 5, `only ${cs.length}`);
  const d = cs.map((c) => km(c.dist));
  assert(d[0] < 2 && d.every((x, i) => i === 0 || x >= d[i - 1]), 'distances: ' + d.join(','));
  await p2.waitForFunction(() => /Schaerbeek/.test(document.getElementById('competence').textContent), null, { timeout: 5000 });
  assert(!/50\.8|4\.37/.test(p2.url()), 'the position went into the URL: ' + p2.url());
  await g.close();
});

await check('without_webgl_list_only', async () => {
  const g = await newContext();
  await g.addInitScript(() => {
    const orig = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...a) {
      return /webgl/.test(type) ? null : orig.call(this, type, ...a);
    };
  });
  const p2 = await g.newPage();
  const asked = [];
  p2.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await p2.goto(base + '/?q=namur');
  await waitHeading(p2, /namur/);
  assert((await cards(p2)).length > 0, 'no list');
  assert(await p2.isHidden('#map'), 'the map is shown without WebGL');
  assert(!asked.some((u) => u.startsWith('/vendor/')), 'MapLibre loaded without WebGL');
  await g.close();
});

await check('without_javascript_server_list', async () => {
  const g = await newContext({ javaScriptEnabled: false });
  const p2 = await g.newPage();
  await p2.goto(base + '/?q=schaerbeek');
  let cs = await cards(p2);
  assert(cs.length >= 2 && /Schaerbeek/.test(cs[0].text), 'no server-rendered list');
  await p2.fill('#q', '');
  await p2.fill('#where', '1030');
  await p2.click('#search button[type=submit]');
  await p2.waitForLoadState();
  assert(/Schaerbeek/.test(await p2.textContent('#results-title')), 'form search');
  cs = await cards(p2);
  assert(cs.length >= 5 && cs[0].dist, 'no nearest list');
  assert(/CPAS de Schaerbeek/.test(await p2.textContent('#competence')), 'no competence');
  await g.close();
});

await check('situations_without_javascript', async () => {
  /* "De quoi as-tu besoin ?": plain links, a group, then a situation:
   * the explanation and who can help first, then the cards near the
   * commune typed in; urgent ones with their helplines at the top. */
  const g = await newContext({ javaScriptEnabled: false });
  const p2 = await g.newPage();
  await p2.goto(base + '/?where=4000');
  await p2.click('.needs a[href*="besoin=famille"]');
  await p2.waitForLoadState();
  assert(/besoin=famille/.test(p2.url()) && /where=4000/.test(p2.url()), 'the group link lost the place: ' + p2.url());
  /* a sensitive situation is a button posting besoin= (its words stay
   * out of the URL, even without a script) */
  await p2.click('.choices button[name=besoin][value="mis-dehors"]');
  await p2.waitForLoadState();
  assert(!/dehors/.test(p2.url()), 'the situation went into the URL: ' + p2.url());
  assert(/where=4000/.test(p2.url()), 'the place was lost: ' + p2.url());
  const box = await p2.textContent('#situation');
  assert(/dehors/i.test(box) && /103/.test(box) && /Ton CPAS : CPAS de Liège/.test(box), 'no situation answer: ' + box);
  const order = await p2.evaluate(() => {
    const s = document.querySelector('#situation');
    return [s.querySelector('.helplines'), s.querySelector('.why')].map((e) => e && [...s.querySelectorAll('*')].indexOf(e));
  });
  assert(order[0] >= 0 && order[0] < order[1], 'the helplines are not at the top');
  assert(await p2.$('#situation a[href="tel:103"]'), 'no tel: link for 103');
  const cs = await cards(p2);
  assert(cs.length >= 3 && cs.some((c) => c.cat === 'cpas' && /Liège/.test(c.text)), 'no services near Liège');
  await g.close();
});

await check('situation_from_words_and_suggestion', async () => {
  /* Typed as a teenager writes it: the suggestions offer the situation,
   * and choosing it shows its answer; the URL keeps it. */
  const p2 = await ctx.newPage();
  await p2.goto(base + '/?where=5000');
  await p2.fill('#q', 'je suis enceinte');
  await p2.waitForSelector('#suggest li.sug-situation', { timeout: 5000 });
  await p2.keyboard.press('ArrowDown');
  await p2.keyboard.press('Enter');
  await waitHeading(p2, /Namur/);
  await p2.waitForFunction(() => /enceinte/i.test(document.getElementById('situation').textContent), null, { timeout: 5000 });
  /* a sensitive situation: never in the address (no-trace checks below) */
  assert(!/enceinte/.test(p2.url()), 'the sensitive situation went into the URL: ' + p2.url());
  assert(/planning/i.test(await p2.textContent('#situation')), 'no situation answer');
  const cs = await cards(p2);
  assert(cs[0] && cs[0].cat === 'planning', 'the first card is not a planning centre');
  /* and a sentence in the search box, submitted, answers too */
  await p2.fill('#q', 'ma mère me met dehors');
  await p2.press('#q', 'Enter'); /* the suggestions' list may cover the button */
  await waitHeading(p2, /Résultats/);
  assert(/dehors/i.test(await p2.textContent('#situation')), 'no situation for the sentence');
  await p2.close();
});

await check('languages_nl_en', async () => {
  /* The server renders the page in the visitor's language: ?lang=, then
   * Accept-Language; the title, the form's labels and the cards too. */
  const p2 = await ctx.newPage();
  await p2.goto(base + '/?lang=nl&q=schaerbeek');
  await waitHeading(p2, /Resultaten/);
  assert(await p2.getAttribute('html', 'lang') === 'nl', 'lang attribute');
  assert(/Zoeken/.test(await p2.textContent('button[type=submit]')), 'button not in Dutch');
  assert(/Gids van hulpdiensten/.test(await p2.title()), 'title not in Dutch: ' + await p2.title());
  assert(/Je postcode of gemeente/.test(await p2.textContent('label[for=where]')), 'label not in Dutch');
  let cs = await cards(p2);
  assert(cs.some((c) => /OCMW/.test(c.text)), 'a CPAS card not in Dutch');
  /* A new search keeps the language, and the language links the search. */
  await p2.fill('#where', '1030');
  await p2.fill('#q', '');
  await p2.click('#search button[type=submit]');
  await waitHeading(p2, /Het dichtst bij Schaarbeek/);
  cs = await cards(p2);
  assert(cs.some((c) => /AMO-dienst/.test(c.text)), 'a card of the script\'s search not in Dutch');
  const en = await p2.getAttribute('.langs a[hreflang=en]', 'href');
  assert(/where=1030/.test(en) && /lang=en/.test(en), 'the English link loses the search: ' + en);
  await p2.goto(base + '/?lang=en&where=1030');
  await waitHeading(p2, /Nearest/);
  assert(/Your postcode or town/.test(await p2.textContent('label[for=where]')), 'label not in English');
  await p2.close();
  const nl = await newContext({ locale: 'nl-BE' });
  const p3 = await nl.newPage();
  await p3.goto(base + '/?where=1030');
  await waitHeading(p3, /Het dichtst bij/);
  assert(await p3.getAttribute('html', 'lang') === 'nl', 'Accept-Language nl-BE did not give Dutch');
  await nl.close();
});

await check('first_paint_list_is_kept', async () => {
  /* The server's list is the page's: the script asks for nothing to show
   * it again (no part= request, no API call) until the search changes. */
  const seen = [];
  const p2 = await ctx.newPage();
  p2.on('request', (r) => seen.push(r.url()));
  await p2.goto(base + '/?where=1030');
  await waitHeading(p2, /Schaerbeek/);
  await p2.waitForTimeout(500);
  const again = seen.filter((u) => /part=|\/api\/(nearest|search|communes)/.test(u));
  assert(again.length === 0, 'fetched again: ' + again.join(' '));
  await p2.close();
});

async function axe(url, name, typed, ready = '.card') {
  const g = await newContext({ bypassCSP: true });
  const p2 = await g.newPage();
  await p2.goto(url);
  await p2.waitForSelector(ready);
  if (typed) { /* audit the suggestion list too, open */
    await p2.fill('#q', typed);
    await p2.waitForSelector('#suggest li', { timeout: 5000 });
  }
  await p2.waitForTimeout(500);
  await p2.evaluate(axeSource);
  const r = await p2.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  await g.close();
  const v = r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes[0].target})`);
  say(`figure axe_${name}_violations ${v.length}`);
  assert(v.length === 0, v.join('; '));
}
await check('axe_page', () => axe(base + '/?where=1030', 'page'));
await check('axe_page_search', () => axe(base + '/?q=planning&sel=0', 'page_search'));
await check('axe_suggestions_open', () => axe(base + '/?where=1030', 'suggestions', 'schaer'));
await check('axe_situation', () => axe(base + '/?besoin=violence-maison&where=1030', 'situation'));
await check('axe_group', () => axe(base + '/?besoin=amour-sexualite&where=1030&lang=nl', 'group', null, '.choices'));

/* HTML_CodeSniffer's WCAG 2 AA errors (warnings and notices need a
 * person to judge), on the page and the widget. */
async function htmlcs(url, name) {
  const g = await newContext({ bypassCSP: true });
  const p2 = await g.newPage();
  await p2.goto(url);
  await p2.waitForSelector('.card');
  await p2.evaluate(htmlcsSource);
  const errors = await p2.evaluate(() => new Promise((done) => {
    window.HTMLCS.process('WCAG2AA', document, () => {
      done(window.HTMLCS.getMessages().filter((m) => m.type === window.HTMLCS.ERROR)
        .map((m) => m.code.split('.').slice(-2).join('.') + ' ' + (m.element.id || m.element.tagName)));
    });
  }));
  await g.close();
  say(`figure htmlcs_${name}_errors ${errors.length}`);
  assert(errors.length === 0, errors.join('; '));
}
await check('htmlcs_page', () => htmlcs(base + '/?where=1030', 'page'));
await check('htmlcs_widget', () => htmlcs(base + '/embed?category=amo&commune=Schaerbeek', 'widget'));
await check('axe_widget', () => axe(base + '/embed?category=amo&commune=Schaerbeek', 'widget'));


/* ---- quick exit, no trace, offline, manifest (issue 16) ---------------- */

await check('quick_exit_leaves_back_does_not_return', async () => {
  const g = await newContext({ viewport: { width: 360, height: 740 } });
  const p2 = await g.newPage();
  await p2.goto(base + '/livez'); /* a page before ours in the history */
  await p2.goto(base + '/?where=1030');
  await waitHeading(p2, /Schaerbeek/);
  const box = await p2.locator('#exit').boundingBox();
  assert(box && box.width >= 44 && box.height >= 44 && box.y < 20 && box.x + box.width > 300,
    'the exit button is not thumb-sized in the top corner: ' + JSON.stringify(box));
  const href = await p2.getAttribute('#exit', 'href');
  assert(href === '/exit.html', 'the exit link (without script) goes to ' + href);
  await p2.click('#exit');
  await p2.waitForURL(base + '/exit.html', { timeout: 5000 });
  await p2.goBack();
  assert(!/where=1030/.test(p2.url()) && new URL(p2.url()).pathname === '/livez', 'Back came back to ' + p2.url());
  /* Escape twice, from the search box, after scrolling */
  await p2.goto(base + '/?where=5000');
  await waitHeading(p2, /Namur/);
  await p2.evaluate(() => window.scrollTo(0, 2000));
  assert(await p2.locator('#exit').isVisible(), 'the exit button scrolled away');
  await p2.focus('#q');
  await p2.keyboard.press('Escape');
  await p2.keyboard.press('Escape');
  await p2.waitForURL(base + '/exit.html', { timeout: 5000 });
  await p2.goBack();
  assert(!/where=5000/.test(p2.url()), 'Back came back after Escape: ' + p2.url());
  assert(/navigation privée/.test(await (await fetch(base + '/')).text()), 'no note on leaving no trace');
  /* the widget leaves its partner's page */
  await p2.goto(base + '/examples/widget.html');
  await p2.frameLocator('iframe').locator('#exit').click();
  await p2.waitForURL(base + '/exit.html', { timeout: 5000 });
  await g.close();
});

/* Every place a sensitive search could stay on the device. */
async function traces(p2, words) {
  return p2.evaluate(async (ws) => {
    const found = [];
    const has = (where, s) => { for (const w of ws) if (String(s).toLowerCase().includes(w)) found.push(where + ': ' + w); };
    has('location', decodeURIComponent(location.href));
    has('title', document.title);
    has('cookie', document.cookie);
    for (let i = 0; i < localStorage.length; i++) has('localStorage', localStorage.key(i) + localStorage.getItem(localStorage.key(i)));
    for (let i = 0; i < sessionStorage.length; i++) has('sessionStorage', sessionStorage.key(i) + sessionStorage.getItem(sessionStorage.key(i)));
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    if (dbs.length) found.push('indexedDB: ' + dbs.map((d) => d.name).join(','));
    for (const n of await caches.keys()) {
      const c = await caches.open(n);
      for (const r of await c.keys()) {
        has('cache', decodeURIComponent(r.url));
        if (/\/api\/(search|nearest)|part=|lat=/.test(r.url)) found.push('cache holds ' + r.url);
      }
    }
    return found;
  }, words);
}
/* A click that says, when it cannot happen, what lies over its target. */
async function tap(pg, sel) {
  try {
    await pg.click(sel, { timeout: 10000 });
  } catch (e) {
    const over = String(e.message).split('\n').find((l) => /intercepts pointer events/.test(l));
    throw new Error(`click ${sel}: ${over ? over.replace(/\x1b\[\d+m/g, '').trim() : String(e.message).split('\n')[0]}`);
  }
}
await check('no_trace_sensitive_search', async () => {
  const g = await newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: 'allow' });
  const p2 = await g.newPage();
  await p2.goto(base + '/?where=5000');
  await waitHeading(p2, /Namur/);
  const h0 = await p2.evaluate(() => history.length);
  await p2.fill('#q', 'je suis enceinte');
  await tap(p2, '#search button[type=submit]');
  await p2.waitForFunction(() => /planning/i.test(document.getElementById('situation').textContent)
    && document.getElementById('results').getAttribute('aria-busy') === 'false', null, { timeout: 5000 });
  const words = ['enceinte', 'suis'];
  let found = await traces(p2, words);
  assert(found.length === 0, 'the search stayed: ' + found.join('; '));
  assert(await p2.evaluate(() => history.length) === h0, 'the sensitive search added a history entry');
  /* a situation picked from the buttons: amour-sexualite, then IVG */
  await tap(p2, '.needs button[value="amour-sexualite"]');
  await p2.waitForSelector('.choices button[value="ivg"]', { timeout: 5000 });
  await tap(p2, '.choices button[value="ivg"]');
  await p2.waitForFunction(() => /planning/i.test(document.getElementById('situation').textContent)
    && document.getElementById('results').getAttribute('aria-busy') === 'false', null, { timeout: 5000 });
  found = await traces(p2, ['ivg', 'amour', 'sexualite', 'enceinte']);
  assert(found.length === 0, 'the situation stayed: ' + found.join('; '));
  assert(await p2.evaluate(() => history.length) === h0, 'a sensitive situation added a history entry');
  const langs = await p2.$$eval('.langs a', (as) => as.map((a) => a.getAttribute('href')).join(' '));
  assert(!/ivg|besoin/.test(langs), 'the language links hold the situation: ' + langs);
  /* kept on purpose: "Copier le lien" gives the whole link */
  await p2.evaluate(() => { navigator.clipboard.writeText = (x) => { window.__copied = x; return Promise.resolve(); }; });
  await tap(p2, '#copy-link');
  await p2.waitForFunction(() => window.__copied, null, { timeout: 2000 });
  const copied = await p2.evaluate(() => window.__copied);
  assert(/besoin=ivg/.test(copied) && /where=5000/.test(copied), 'copied: ' + copied);
  /* a search that is not sensitive keeps its shareable URL */
  await p2.fill('#q', 'schaerbeek');
  await tap(p2, '#search button[type=submit]');
  await waitHeading(p2, /schaerbeek/i);
  assert(new URL(p2.url()).searchParams.get('q') === 'schaerbeek', 'a plain search lost its URL: ' + p2.url());
  await g.close();
  /* without a script: the form posts, the words stay out of the URL */
  const n = await newContext({ javaScriptEnabled: false });
  const p3 = await n.newPage();
  await p3.goto(base + '/?where=5000');
  await p3.fill('#q', 'je suis enceinte');
  await tap(p3, '#search button[type=submit]');
  await p3.waitForLoadState();
  assert(/planning/i.test(await p3.textContent('#situation')), 'no answer without a script');
  assert(!/enceinte|suis/.test(p3.url()), 'the words went into the URL without a script: ' + p3.url());
  await p3.fill('#q', 'schaerbeek');
  await tap(p3, '#search button[type=submit]');
  await p3.waitForLoadState();
  assert(/q=schaerbeek/.test(p3.url()), 'a plain search without a script has no URL: ' + p3.url());
  await n.close();
});

/* The worker's copy, then the network cut (context.setOffline). */
await check('offline_postcode_and_situation', async () => {
  const g = await newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: 'allow' });
  const p2 = await g.newPage();
  await p2.goto(base + '/');
  await p2.waitForFunction(() => document.documentElement.dataset.offlineCopy === '1', null, { timeout: 15000, polling: 200 });
  const cached = await p2.evaluate(async () => {
    const out = [];
    for (const n of await caches.keys()) {
      const c = await caches.open(n);
      for (const r of await c.keys()) out.push([new URL(r.url).pathname + new URL(r.url).search, (await (await c.match(r)).arrayBuffer()).byteLength]);
    }
    return out;
  });
  let raw = 0, sent = 0;
  for (const [u, n] of cached) {
    raw += n;
    const r = await fetch(base + u, { headers: { 'Accept-Encoding': 'gzip' } });
    sent += +(r.headers.get('content-length') || n);
    await r.arrayBuffer();
  }
  const dir = await fetch(base + '/api/directory', { headers: { 'Accept-Encoding': 'gzip' } });
  say(`figure directory_gzip_bytes ${dir.headers.get('content-length')}`);
  say(`figure directory_bytes ${(await dir.arrayBuffer()).byteLength}`);
  say(`figure offline_copy_entries ${cached.length}`);
  say(`figure offline_copy_bytes ${raw}`);
  say(`figure offline_copy_transfer_bytes ${sent}`);
  assert(cached.some(([u]) => u === '/api/directory') && cached.some(([u]) => u === '/api/situations'), 'no directory in the copy');
  assert(!cached.some(([u]) => /\/api\/(search|nearest)|part=|[?&](q|where|besoin|lat)=/.test(u)), 'the copy holds a search: ' + cached.map((c) => c[0]).join(' '));
  await g.setOffline(true);
  await p2.goto(base + '/');
  await p2.waitForSelector('#offline:not([hidden])', { timeout: 5000 });
  const note = await p2.textContent('#offline');
  assert(/Hors ligne/.test(note) && /\d{4}/.test(note), 'the offline notice: ' + note);
  await p2.fill('#where', '5000');
  await p2.click('#search button[type=submit]');
  await p2.waitForFunction(() => document.querySelectorAll('#list .card').length > 0
    && document.getElementById('results').getAttribute('aria-busy') === 'false', null, { timeout: 5000 });
  const cs = await cards(p2);
  assert(cs.length >= 5 && cs.some((c) => /Namur/.test(c.text)), 'offline, 5000 lists ' + cs.length);
  const tels = await p2.$$eval('#list .card a[href^="tel:"]', (as) => as.length);
  assert(tels > 0, 'offline, no phone number to call');
  say(`figure offline_5000_cards ${cs.length}`);
  /* a situation offline: its explanation, helplines and kinds of help */
  const sits = await (await fetch(base + '/api/situations')).json();
  const dehors = sits.situations.find((x) => x.id === 'mis-dehors');
  await p2.click('.needs a[href*="besoin=famille"]');
  await p2.waitForSelector('.choices button[value="mis-dehors"]', { timeout: 5000 });
  await p2.click('.choices button[value="mis-dehors"]');
  await p2.waitForFunction((d) => document.getElementById('situation').textContent.includes(d), dehors.description.fr, { timeout: 5000 });
  assert(await p2.$('#situation a[href="tel:103"]'), 'offline, no tel: link for 103');
  assert(!/dehors/.test(p2.url()), 'offline, the situation went into the URL: ' + p2.url());
  /* axe with the offline notice and the exit button shown */
  await p2.evaluate(axeSource);
  const r = await p2.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const v = r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes[0].target})`);
  say(`figure axe_offline_violations ${v.length}`);
  assert(v.length === 0, 'axe offline: ' + v.join('; '));
  await g.setOffline(false);
  await g.close();
});

await check('manifest_and_worker_installable', async () => {
  const html = await (await fetch(base + '/')).text();
  const m = /<link rel="manifest" href="([^"]+)"/.exec(html);
  assert(m, 'no manifest link');
  const r = await fetch(base + m[1]);
  assert(/application\/manifest\+json/.test(r.headers.get('content-type')), 'manifest type ' + r.headers.get('content-type'));
  const man = await r.json();
  for (const k of ['name', 'short_name', 'start_url', 'display', 'theme_color', 'background_color'])
    assert(man[k], 'manifest without ' + k);
  assert(/standalone|fullscreen|minimal-ui/.test(man.display), 'display ' + man.display);
  const sizes = new Set();
  for (const ic of man.icons) {
    const x = await fetch(new URL(ic.src, base));
    assert(x.ok, 'icon ' + ic.src + ' ' + x.status);
    sizes.add(ic.sizes);
  }
  assert(sizes.has('192x192') && sizes.has('512x512') && man.icons.some((i) => /maskable/.test(i.purpose || '')), 'icons ' + [...sizes]);
  assert(/<meta name="theme-color"/.test(html), 'no theme-color');
  const sw = await fetch(base + '/sw.js');
  assert(sw.ok && /javascript/.test(sw.headers.get('content-type')) && /no-cache/.test(sw.headers.get('cache-control')), 'sw.js ' + sw.status);
  assert(/worker-src 'self'/.test((await fetch(base + '/')).headers.get('content-security-policy')), 'CSP without worker-src self');
  /* Chromium's own installability verdict, through the DevTools protocol */
  const g = await newContext({ serviceWorkers: 'allow' });
  const p2 = await g.newPage();
  await p2.goto(base + '/');
  await p2.waitForFunction(() => navigator.serviceWorker.controller, null, { timeout: 15000 });
  const cdp = await g.newCDPSession(p2);
  const errs = await cdp.send('Page.getInstallabilityErrors').catch(() => null);
  if (errs) {
    /* Playwright's contexts are incognito windows, where no browser
     * installs: that one verdict is the harness's, not the page's */
    const e = errs.installabilityErrors.map((x) => x.errorId).filter((x) => x !== 'in-incognito');
    say(`figure installability_errors ${e.length}`);
    assert(e.length === 0, 'not installable: ' + e.join(', '));
  }
  await g.close();
});

await check('first_visit_bytes_phone', async () => {
  /* Bytes a phone downloads before the list is usable (the server's
   * list shown and the script ready: DOMContentLoaded), and in all
   * after 5 s (the map when seen, the worker's offline copy apart) */
  const g = await newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const p2 = await g.newPage();
  const cdp = await g.newCDPSession(p2);
  await cdp.send('Network.enable');
  let bytes = 0, before = null;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await p2.goto(base + '/', { waitUntil: 'domcontentloaded' });
  await p2.waitForSelector('#list .card');
  before = bytes;
  await p2.waitForTimeout(5000);
  say(`figure first_visit_bytes_until_list_phone ${before}`);
  say(`figure first_visit_bytes_5s_phone ${bytes}`);
  assert(before > 0 && before < 60000, `${before} bytes before the list is usable`);
  await g.close();
});

/* Names and counts at zoom 7 on a phone: none lies on another; the
 * first view frames Wallonia and Brussels. */
await check('map_labels_no_overlap_360_z7', async () => {
  const g = await newContext({ viewport: { width: 360, height: 740 } });
  const p2 = await g.newPage();
  await p2.goto(base + '/');
  const webgl = await p2.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
  assert(webgl, 'no WebGL2');
  await p2.evaluate(() => document.getElementById('mapbox').scrollIntoView());
  await p2.waitForSelector('#map[data-ready]', { timeout: 15000 });
  const first = await p2.evaluate(() => {
    const b = annuaireMap.getBounds();
    return { w: b.getWest(), e: b.getEast(), s: b.getSouth(), n: b.getNorth(), c: annuaireMap.getCenter(), z: annuaireMap.getZoom() };
  });
  say(`figure map_first_view_zoom_360 ${first.z.toFixed(2)}`);
  /* Mouscron (3.22, 50.74), Arlon (5.82, 49.68), Brussels (4.35, 50.85) in
   * view; the centre in Wallonia, not near Antwerp's latitude */
  assert(first.w <= 3.22 && first.e >= 5.82 && first.s <= 49.68 && first.n >= 50.85, 'first view: ' + JSON.stringify(first));
  assert(first.c.lat < 50.4, 'first view centred on Belgium, not the Federation: ' + JSON.stringify(first.c));
  let names = 0;
  for (const center of [[4.6, 50.45], [4.4, 50.75], [4.9, 50.3]]) {
    await p2.evaluate(([c]) => new Promise((res) => { annuaireMap.jumpTo({ center: c, zoom: 7 }); annuaireMap.once('idle', res); }), [center]);
    await p2.waitForTimeout(300);
    const r = await p2.evaluate(() => {
      const boxes = [...document.querySelectorAll('#map .map-text span:not([hidden])')].map((e) => {
        const b = e.getBoundingClientRect();
        return { t: e.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom };
      });
      const over = [];
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], b = boxes[j];
          if (a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 1 && b.y0 < a.y1 - 1) over.push(a.t + ' / ' + b.t);
        }
      return { n: boxes.length, over, names: boxes.filter((b) => isNaN(+b.t)).length };
    });
    say(`figure map_labels_360_z7_${center.join('_')} ${r.n}`);
    await p2.locator('#map').screenshot({ path: `${shots}/map-360-z7-${center.join('_')}.png` });
    assert(r.over.length === 0, `at ${center}: ${r.over.slice(0, 4).join('; ')}`);
    names += r.names;
  }
  assert(names > 0, 'no name shown at zoom 7');
  await g.close();
});

await check('no_script_or_csp_errors', async () => {
  assert(scriptErrors.length === 0, scriptErrors.slice(0, 3).join(' | '));
});

await check('no_third_party_request', async () => {
  assert(foreign.length === 0, 'requests to other hosts: ' + [...new Set(foreign)].slice(0, 3).join(' '));
});

await browser.close();
