// validate.mjs - real answers of a running amo-server checked against its
// OpenAPI descriptions (server/openapi/api.json and ogc.json, as served at
// /api/openapi.json and /ogc/api), with ajv: each sample's status must be
// documented for its path, and its body must match that response's
// schema. Every documented operation must be sampled, and mutated answers
// must be rejected (so the check can fail). Run by tests/test_api_docs.c:
//   node tests/api/validate.mjs http://127.0.0.1:PORT
// Prints "validated N answers ..." and exits 0, or lists the failures and
// exits 1.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const base = process.argv[2];
if (!base) {
  console.error('usage: node validate.mjs BASE_URL');
  process.exit(2);
}

// OpenAPI 3.0 schemas are JSON Schema but for `nullable` (3.0.3 4.7.25):
// rewritten as a type that also admits null.
function toJsonSchema(s) {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    // 'properties' and friends map names to schemas, never keywords
    out[k] = toJsonSchema(v);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (out.type) out.type = [out.type, 'null'];
    if (out.enum && !out.enum.includes(null)) out.enum.push(null);
  } else if (out.nullable === false) {
    delete out.nullable;
  }
  delete out.example;
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int64', true);
ajv.addFormat('binary', true);

async function get(path) {
  const r = await fetch(base + path, { redirect: 'manual' });
  const type = (r.headers.get('content-type') || '').split(';')[0].trim();
  const text = await r.text();
  return { status: r.status, type, text, fullType: r.headers.get('content-type') || '' };
}

const docs = [];
for (const [name, url, prefix] of [['api', '/api/openapi.json', ''], ['ogc', '/ogc/api', '/ogc']]) {
  const a = await get(url);
  if (a.status !== 200) throw new Error(`${url}: ${a.status}`);
  const doc = JSON.parse(a.text);
  ajv.addSchema(toJsonSchema(doc), name);
  const ops = Object.keys(doc.paths).map((p) => ({
    path: p,
    re: new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
    sampled: 0,
  }));
  docs.push({ name, prefix, doc, ops });
}

const ptr = (segs) => '#/' + segs.map((s) => encodeURIComponent(String(s).replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

// The operation and the response schema of an answer, or a reason.
function lookup(path, status, type) {
  const p = path.split('?')[0];
  for (const d of docs) {
    if (d.prefix && !(p === d.prefix || p.startsWith(d.prefix + '/'))) continue;
    if (!d.prefix && p.startsWith('/ogc')) continue;
    let rel = d.prefix ? p.slice(d.prefix.length) || '/' : p;
    const op = d.ops.find((o) => o.re.test(rel));
    if (!op) continue;
    const responses = d.doc.paths[op.path].get.responses;
    let resp = responses[String(status)];
    if (!resp) return { error: `status ${status} is not documented for ${op.path}` };
    let segs = ['paths', op.path, 'get', 'responses', String(status)];
    if (resp.$ref) {
      segs = resp.$ref.slice(2).split('/');
      resp = segs.reduce((o, k) => o[k], d.doc);
    }
    op.sampled++;
    if (!resp.content) return { op, d, schema: null };
    const mt = Object.keys(resp.content).find((m) => m.split(';')[0] === type);
    if (!mt) return { error: `${op.path} ${status}: content type ${type} is not documented` };
    return { op, d, schema: ajv.getSchema(d.name + ptr([...segs, 'content', mt, 'schema'])) };
  }
  return { error: `${p} is in neither description` };
}

// One id of each kind, from the server itself (never invented).
const sdj = JSON.parse((await get('/api/listings.geojson?category=sdj')).text).features[0].id;
const cpas = JSON.parse((await get('/ogc/collections/cpas/items?limit=1')).text).features[0].id;

const samples = [
  ['/api/nearest?lat=50.8672&lon=4.3779&category=amo&limit=3', 200],
  ['/api/nearest?lat=50.46&lon=4.87&age=15&max_km=20', 200],
  ['/api/nearest?lat=91&lon=4', 400],
  ['/api/nearest?lon=4', 400],
  ['/api/nearest?lat=50&lon=4&color=red', 400],
  ['/api/search?q=schaerbeek&category=cpas', 200],
  ['/api/search?q=shaerbeek', 200],
  ['/api/search?q=je+me+dispute+avec+mes+parents&near=50.85,4.35', 200],
  ['/api/search?q=contraception+namur&limit=3&offset=1', 200],
  ['/api/search?q=zzzzqqq', 200],
  ['/api/search', 400],
  ['/api/search?q=x&limit=51', 400],
  ['/api/situations', 200],
  ['/api/communes/1030', 200],
  ['/api/communes/6600', 200],
  ['/api/communes/21015', 200],
  ['/api/communes/9999', 404],
  ['/api/communes?name=Jambes', 200],
  ['/api/communes?lat=50.4674&lon=4.8720', 200],
  ['/api/communes?name=Atlantis', 404],
  ['/api/communes?lat=50.4', 400],
  ['/api/listings.geojson?category=sdj', 200],
  ['/api/listings.geojson?category=cpas&bbox=4.24,50.76,4.49,50.92', 200],
  ['/api/listings.geojson?category=nope', 400],
  [`/api/listings/${sdj}`, 200],
  ['/api/listings/1', 404],
  ['/api/status', 200],
  ['/api/openapi.json', 200],
  ['/healthz', 200],
  ['/livez', 200],
  ['/tiles.json', 200],
  ['/tiles/basemap.json', 200],
  ['/tiles/8/131/86.mvt', 200],
  ['/tiles/0/5/5.mvt', 404],
  ['/tiles/basemap/7/65/43.mvt', 200],
  ['/ogc', 200],
  ['/ogc?f=xml', 400],
  ['/ogc/api', 200],
  ['/ogc/conformance', 200],
  ['/ogc/collections', 200],
  ['/ogc/collections/cpas', 200],
  ['/ogc/collections/nope', 404],
  ['/ogc/collections/amo/queryables', 200],
  ['/ogc/collections/cpas/items?limit=5&offset=5', 200],
  ['/ogc/collections/amo/items?age=15&commune=Schaerbeek', 200],
  ['/ogc/collections/cpas/items?nis=21015', 200],
  ['/ogc/collections/cpas/items?bbox=4.24,50.76,4.49,50.92&limit=100', 200],
  ['/ogc/collections/cpas/items?limit=0', 400],
  ['/ogc/collections/cpas/items?age=200', 400],
  ['/ogc/collections/cpas/items?nis=abc', 400],
  ['/ogc/collections/cpas/items?name=x', 400],
  [`/ogc/collections/cpas/items/${cpas}`, 200],
  [`/ogc/collections/amo/items/${cpas}`, 404],
];

const failures = [];
const bodies = {}; // path -> [parsed body, validate] for the mutations
let validated = 0;
for (const [path, want] of samples) {
  const a = await get(path);
  if (a.status !== want) {
    failures.push(`${path}: status ${a.status}, expected ${want}`);
    continue;
  }
  const r = lookup(path, a.status, a.type);
  if (r.error) {
    failures.push(`${path}: ${r.error}`);
    continue;
  }
  if (!r.schema) { // a 204, or a binary tile: only its status and type
    validated++;
    continue;
  }
  const binary = a.type.includes('vector-tile');
  const body = binary ? null : a.type === 'text/plain' ? a.text : JSON.parse(a.text);
  if (!binary && !r.schema(body)) {
    failures.push(`${path}: ${ajv.errorsText(r.schema.errors)}`);
    continue;
  }
  bodies[path] = [body, r.schema];
  validated++;
}

for (const d of docs)
  for (const o of d.ops)
    if (!o.sampled) failures.push(`${d.name}: ${o.path} has no sample`);

// Answers made wrong in ways the schemas forbid: each must be rejected.
const mutations = [
  ['/api/nearest?lat=50.8672&lon=4.3779&category=amo&limit=3', (b) => { b.features[0].geometry.coordinates[0] = '4.3'; }],
  ['/api/nearest?lat=91&lon=4', (b) => { b.error.code = 'oops'; }],
  ['/api/communes/1030', (b) => { delete b.cpas; }],
  ['/api/search?q=schaerbeek&category=cpas', (b) => { b.features[0].properties.nis = 21015; }],
  ['/api/status', (b) => { b.total = '378'; }],
  ['/api/situations', (b) => { b.situations[0].urgent = 'no'; }],
  ['/ogc/collections/cpas/items?limit=5&offset=5', (b) => { b.numberMatched = -1; }],
  [`/ogc/collections/cpas/items/${cpas}`, (b) => { b.properties.secret = 1; }],
  ['/tiles.json', (b) => { b.tiles = []; }],
];
let rejected = 0;
for (const [path, mutate] of mutations) {
  if (!bodies[path]) continue; // already a failure above
  const [body, validate] = bodies[path];
  const copy = JSON.parse(JSON.stringify(body));
  mutate(copy);
  if (validate(copy)) failures.push(`${path}: a mutated answer was accepted`);
  else rejected++;
}

if (failures.length) {
  console.log(failures.join('\n'));
  console.log(`${failures.length} failures`);
  process.exit(1);
}
console.log(`validated ${validated} answers against the OpenAPI descriptions; ` +
  `${rejected} mutated answers rejected`);
