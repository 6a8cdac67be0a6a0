// check-hsds.mjs - validate an `amo-export hsds` directory against the
// Open Referral HSDS 3.0 files in STANDARD (tests/standards/hsds-3.0):
//   - every object of services.json against schema/compiled/service.json,
//     with ajv (npm, pinned) and ajv-formats (uuid, uri, email,
//     date-time). The HSDS schemas carry no $schema, so neither draft is
//     declared: each object is validated under both draft-07 (Ajv) and
//     2020-12 (Ajv2020), the two drafts that could be meant.
//   - every CSV of the data package against the standard's own
//     datapackage.json (Frictionless Table Schema v1: header, types,
//     formats, required, enum, unique, primary and foreign keys), and our
//     datapackage.json's resources against the standard's.
// Debian 12 packages no Frictionless validator, hence this one.
//
// usage: node tests/hsds/check-hsds.mjs OUT STANDARD
// Prints a JSON summary on stdout, each error on stderr (the first 40);
// exits 0 when there is none, 1 otherwise, 2 when a file cannot be read.
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [out, standard] = process.argv.slice(2);
if (!out || !standard) {
  console.error("usage: check-hsds.mjs OUT STANDARD");
  process.exit(2);
}

const errors = [];
const error = (where, what) => {
  if (errors.length < 40) console.error(`${where}: ${what}`);
  errors.push(`${where}: ${what}`);
};

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
}

// ---- services.json against the compiled service schema ----

const serviceSchema = readJson(path.join(standard, "schema/compiled/service.json"));
const services = readJson(path.join(out, "services.json"));
const jsonErrors = {};
for (const [draft, Cls] of [["draft-07", Ajv], ["2020-12", Ajv2020]]) {
  // strict: false because the HSDS schemas carry their own keywords
  // (constraints, example, datapackage_metadata, ...), which JSON Schema
  // says to ignore.
  const ajv = new Cls({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(serviceSchema);
  jsonErrors[draft] = 0;
  if (!Array.isArray(services)) {
    error("services.json", "is not an array of service objects");
    jsonErrors[draft]++;
    continue;
  }
  services.forEach((s, i) => {
    if (validate(s)) return;
    for (const e of validate.errors) {
      jsonErrors[draft]++;
      error(`services.json[${i}] (${draft})`, `${e.instancePath || "/"} ${e.message}`);
    }
  });
}
const serviceIds = new Set();
for (const [i, s] of (Array.isArray(services) ? services : []).entries()) {
  if (serviceIds.has(s.id)) error(`services.json[${i}]`, `id ${s.id} used twice`);
  serviceIds.add(s.id);
}

// ---- the tabular data package ----

function parseCsv(text, where) {
  const rows = [];
  let row = [], field = "", i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === "") { quoted = true; i++; continue; }
    if (c === ",") { row.push(field); field = ""; i++; continue; }
    if (c === "\r" && text[i + 1] === "\n") i++;
    if (c === "\n" || c === "\r") {
      row.push(field); rows.push(row); row = []; field = ""; i++; continue;
    }
    field += c; i++;
  }
  if (quoted) error(where, "unterminated quoted field");
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URI = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
function validDay(y, m, d) {
  const t = new Date(Date.UTC(+y, +m - 1, +d));
  return t.getUTCFullYear() === +y && t.getUTCMonth() === +m - 1 && t.getUTCDate() === +d;
}
const validTime = (h, m, s) => +h < 24 && +m < 60 && +s < 60;
// Table Schema v1 types and formats, "default" formats (ISO 8601).
function typeError(field, v) {
  switch (field.type) {
    case "string":
      if (field.format === "uuid" && !UUID.test(v)) return "not a uuid";
      if (field.format === "email" && !EMAIL.test(v)) return "not an email";
      if (field.format === "uri" && !URI.test(v)) return "not a uri";
      return null;
    case "number":
      return NUMBER.test(v) ? null : "not a number";
    case "integer":
      return /^[+-]?\d+$/.test(v) ? null : "not an integer";
    case "boolean":
      return /^(true|false|True|False|TRUE|FALSE|1|0)$/.test(v) ? null : "not a boolean";
    case "date": {
      const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(v);
      return m && validDay(m[1], m[2], m[3]) ? null : "not a date (YYYY-MM-DD)";
    }
    case "time": {
      const m = /^(\d\d):(\d\d):(\d\d)$/.exec(v);
      return m && validTime(m[1], m[2], m[3]) ? null : "not a time (HH:MM:SS)";
    }
    case "datetime": {
      const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.exec(v);
      return m && validDay(m[1], m[2], m[3]) && validTime(m[4], m[5], m[6])
        ? null : "not a datetime (YYYY-MM-DDThh:mm:ssZ)";
    }
    default:
      return `type ${field.type} is not checked here`;
  }
}

const std = readJson(path.join(standard, "datapackage.json"));
const ours = readJson(path.join(out, "datapackage.json"));
const stdByName = new Map(std.resources.map((r) => [r.name, r]));
const oursNames = new Set((ours.resources || []).map((r) => r.name));
const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const fieldShape = (f) => ({
  name: f.name, type: f.type, format: f.format,
  required: !!f.constraints?.required, unique: !!f.constraints?.unique,
  enum: f.constraints?.enum,
});
const fkKey = (fk) => JSON.stringify([fk.fields, fk.reference.resource, fk.reference.fields]);

if (ours.profile !== "tabular-data-package")
  error("datapackage.json", `profile is ${ours.profile}, not tabular-data-package`);
if (!Array.isArray(ours.resources) || ours.resources.length === 0)
  error("datapackage.json", "has no resources");

// Our descriptor says what the standard says about each table we ship.
const tables = new Map(); // resource name -> {def, rows: [{field: value}]}
for (const r of ours.resources || []) {
  const where = `datapackage.json: ${r.name}`;
  const s = stdByName.get(r.name);
  if (!s) { error(where, "is not an HSDS 3.0 resource"); continue; }
  if (r.path !== s.path) error(where, `path ${r.path}, HSDS says ${s.path}`);
  if (r.profile !== "tabular-data-resource") error(where, "profile is not tabular-data-resource");
  const of = (r.schema?.fields || []).map(fieldShape);
  const sf = s.schema.fields.map(fieldShape);
  if (of.length !== sf.length) error(where, `${of.length} fields, HSDS has ${sf.length}`);
  sf.forEach((f, i) => {
    if (!sameJson(of[i], f)) error(where, `field ${i + 1} is ${JSON.stringify(of[i])}, HSDS: ${JSON.stringify(f)}`);
  });
  if (!sameJson(r.schema?.primaryKey, s.schema.primaryKey)) error(where, "primaryKey differs from HSDS");
  const want = (s.schema.foreignKeys || []).filter((fk) => oursNames.has(fk.reference.resource)).map(fkKey).sort();
  const got = (r.schema?.foreignKeys || []).map(fkKey).sort();
  if (!sameJson(want, got)) error(where, `foreignKeys ${got}, HSDS (to the tables shipped): ${want}`);
  tables.set(r.name, { def: s, rows: [] });
}

// Each CSV against the standard's own resource.
const counts = {};
for (const [name, t] of tables) {
  const file = path.join(out, t.def.path);
  let text;
  try { text = fs.readFileSync(file, "utf8"); } catch (e) { error(t.def.path, e.message); continue; }
  const rows = parseCsv(text, t.def.path);
  const fields = t.def.schema.fields;
  const header = rows.shift() || [];
  if (!sameJson(header, fields.map((f) => f.name)))
    error(t.def.path, `header ${header.join(",")} is not HSDS's ${fields.map((f) => f.name).join(",")}`);
  const seen = fields.map(() => new Set());
  rows.forEach((row, i) => {
    const where = `${t.def.path}:${i + 2}`;
    if (row.length !== fields.length) error(where, `${row.length} cells, ${fields.length} fields`);
    const rec = {};
    fields.forEach((f, j) => {
      const v = row[j] ?? "";
      const c = f.constraints || {};
      rec[f.name] = v === "" ? null : v; // Table Schema's missingValues: [""]
      if (v === "") {
        if (c.required) error(where, `${f.name} is required`);
        return;
      }
      const te = typeError(f, v);
      if (te) error(where, `${f.name}: "${v}" is ${te}`);
      if (c.enum && !c.enum.includes(v)) error(where, `${f.name}: "${v}" is not one of ${c.enum.join(", ")}`);
      if (c.unique || f.name === t.def.schema.primaryKey) {
        if (seen[j].has(v)) error(where, `${f.name}: "${v}" is not unique`);
        seen[j].add(v);
      }
    });
    t.rows.push(rec);
  });
  counts[t.def.path] = rows.length;
}

// Foreign keys, to the tables the package holds.
const index = new Map();
const keysOf = (res, field) => {
  const k = `${res}.${field}`;
  if (!index.has(k)) index.set(k, new Set((tables.get(res)?.rows || []).map((r) => r[field])));
  return index.get(k);
};
for (const [, t] of tables) {
  for (const fk of t.def.schema.foreignKeys || []) {
    const ref = fk.reference;
    t.rows.forEach((rec, i) => {
      const v = rec[fk.fields];
      if (v === null || v === undefined) return;
      if (!tables.has(ref.resource))
        error(`${t.def.path}:${i + 2}`, `${fk.fields} points into ${ref.resource}, which the package does not have`);
      else if (!keysOf(ref.resource, ref.fields).has(v))
        error(`${t.def.path}:${i + 2}`, `${fk.fields} "${v}" is no ${ref.resource}.${ref.fields}`);
    });
  }
}

// The JSON and the tables hold the same services.
const csvServices = keysOf("service", "id");
if (Array.isArray(services)) {
  if (csvServices.size !== services.length)
    error("services.csv", `${csvServices.size} services, services.json has ${services.length}`);
  for (const s of services)
    if (!csvServices.has(s.id)) error("services.csv", `no row for service ${s.id} of services.json`);
}

const summary = {
  services: Array.isArray(services) ? services.length : 0,
  json_errors: jsonErrors,
  tables: counts,
  errors: errors.length,
};
console.log(JSON.stringify(summary));
process.exit(errors.length ? 1 : 0);
