// reference.mjs - the API reference page (web/api/index.html, served at
// /api/) written from the OpenAPI descriptions at build time (make
// vendor). Plain HTML and our own stylesheet, no script: the page keeps
// the site's promise (nothing from another host; redocly build-docs'
// output loads Google Fonts and runs inline script, which our CSP
// forbids anyway).
//   node server/openapi/reference.mjs api.json ogc.json > index.html
import { readFileSync } from 'node:fs';

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
// `code` spans of the descriptions, the only markup they use
const text = (s) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
const refName = (r) => r.split('/').pop();
// the document being written: its schemas' anchors start with it
let key = '';

function typeOf(s) {
  if (!s) return '';
  if (s.$ref) return `<a href="#${key}-schema-${esc(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.allOf) return s.allOf.map(typeOf).join(' and ');
  if (s.enum && s.enum.length === 1 && s.enum[0] === null) return 'null';
  let t = s.type || 'any';
  if (t === 'array') t = `array of ${typeOf(s.items)}`;
  if (s.format) t += ` (${esc(s.format)})`;
  if (s.nullable) t += ' or null';
  return t;
}

function constraints(s) {
  if (!s) return '';
  const c = [];
  if (s.minimum !== undefined || s.maximum !== undefined) c.push(`${s.minimum ?? '…'} to ${s.maximum ?? '…'}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) c.push(`${s.minLength ?? 0} to ${s.maxLength ?? '…'} characters`);
  if (s.pattern) c.push(`matches <code>${esc(s.pattern)}</code>`);
  if (s.enum) c.push('one of ' + s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(', '));
  if (s.default !== undefined) c.push(`default <code>${esc(s.default)}</code>`);
  if (s.minItems !== undefined || s.maxItems !== undefined) c.push(`${s.minItems ?? 0} to ${s.maxItems ?? '…'} items`);
  return c.join('; ');
}

function operation(doc, path, op, id) {
  const server = doc.servers?.[0]?.url === '/' ? '' : doc.servers?.[0]?.url ?? '';
  const full = server + (path === '/' && server ? '' : path);
  let h = `<section class="op" id="${esc(id)}"><h3><span class="verb">GET</span> <code>${esc(full)}</code></h3>`;
  h += `<p><strong>${text(op.summary)}</strong>. ${text(op.description)}</p>`;
  if (op.parameters?.length) {
    h += '<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>range, default</th><th>meaning</th></tr></thead><tbody>';
    for (const p of op.parameters)
      h += `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <em>required</em>' : ''}</td><td>${esc(p.in)}</td>` +
        `<td>${typeOf(p.schema)}</td><td>${constraints(p.schema)}</td><td>${text(p.description)}` +
        `${p.example !== undefined ? ` (e.g. <code>${esc(p.example)}</code>)` : ''}</td></tr>`;
    h += '</tbody></table>';
  }
  h += '<table><thead><tr><th>status</th><th>answer</th><th>body</th></tr></thead><tbody>';
  for (const [status, r0] of Object.entries(op.responses)) {
    const r = r0.$ref ? doc.components.responses[refName(r0.$ref)] : r0;
    const bodies = Object.entries(r.content || {}).map(([mt, c]) => `<code>${esc(mt)}</code>: ${typeOf(c.schema)}`);
    h += `<tr><td>${esc(status)}</td><td>${text(r.description)}</td><td>${bodies.join('<br>')}</td></tr>`;
  }
  return h + '</tbody></table></section>';
}

function schema(name, s) {
  let h = `<section class="schema" id="${key}-schema-${esc(name)}"><h3>${esc(name)}</h3>`;
  if (s.description) h += `<p>${text(s.description)}</p>`;
  const parts = s.allOf ? s.allOf : [s];
  for (const part of parts) {
    if (part.$ref) { h += `<p>All of ${typeOf(part)}, and:</p>`; continue; }
    if (!part.properties) { h += `<p>${typeOf(part)} ${constraints(part)}</p>`; continue; }
    const req = new Set(part.required || []);
    h += '<table><thead><tr><th>member</th><th>type</th><th>range</th><th>meaning</th></tr></thead><tbody>';
    for (const [k, v] of Object.entries(part.properties))
      h += `<tr><td><code>${esc(k)}</code>${req.has(k) ? '' : ' <em>optional</em>'}</td><td>${typeOf(v)}</td>` +
        `<td>${constraints(v)}</td><td>${text(v.description)}</td></tr>`;
    h += '</tbody></table>';
    if (part.additionalProperties === false) h += '<p class="note">No other member.</p>';
  }
  return h + '</section>';
}

const docs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
let toc = '', body = '';
docs.forEach((doc, i) => {
  key = `doc${i}`;
  toc += `<li><a href="#${key}">${esc(doc.info.title)}</a><ul>`;
  body += `<h2 id="${key}">${esc(doc.info.title)}</h2><p>${text(doc.info.description)}</p>`;
  body += `<p>Version ${esc(doc.info.version)}, OpenAPI ${esc(doc.openapi)}: <a href="${i === 0 ? '/api/openapi.json' : '/ogc/api'}">the description as JSON</a>.</p>`;
  for (const [path, item] of Object.entries(doc.paths)) {
    const id = `${key}-${item.get.operationId}`;
    toc += `<li><a href="#${esc(id)}">${esc(path)}</a></li>`;
    body += operation(doc, path, item.get, id);
  }
  toc += '</ul></li>';
  body += `<h2>Schemas of ${esc(doc.info.title)}</h2>`;
  for (const [name, s] of Object.entries(doc.components.schemas)) body += schema(name, s);
});

process.stdout.write(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference - Annuaire des services d'aide à la jeunesse</title>
<link rel="stylesheet" href="/api/reference.css">
</head>
<body>
<header><a href="/">Annuaire</a> · API reference</header>
<main>
<h1>API reference</h1>
<p>Generated from the OpenAPI descriptions this server serves. The manual, with examples: docs/api.md in the repository.</p>
<nav><ul>${toc}</ul></nav>
${body}
</main>
</body>
</html>
`);
