// check-pmtiles.mjs - read a PMTiles archive written by amo-export with
// the reference JavaScript reader (npm `pmtiles`) and decode its tiles with
// `@mapbox/vector-tile`, independently of our C code.
//
//   node check-pmtiles.mjs ARCHIVE.pmtiles TILEDIR
//
// TILEDIR is a z/x/y.mvt export of the same database. Every tile of the
// directory must be in the archive with the same features, and the archive
// must hold no other tile. Prints a JSON summary on stdout: the header,
// the metadata, and the features of the highest zoom that lie inside
// their tile (so each listing is counted once). Exits 1 on any mismatch.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { PMTiles } from "pmtiles";
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";

class FileSource {
  constructor(file) {
    this.file = file;
    this.fd = fs.openSync(file, "r");
  }
  getKey() {
    return this.file;
  }
  async getBytes(offset, length) {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(this.fd, buf, 0, length, offset);
    const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + n);
    return { data };
  }
}

function fail(msg) {
  console.error(`check-pmtiles: ${msg}`);
  process.exit(1);
}

function decode(bytes) {
  let b = Buffer.from(bytes);
  if (b[0] === 0x1f && b[1] === 0x8b) b = zlib.gunzipSync(b);
  const tile = new VectorTile(new PbfReader(b));
  const out = {};
  for (const name of Object.keys(tile.layers)) {
    const layer = tile.layers[name];
    const feats = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      feats.push({ id: f.id, type: f.type, properties: f.properties,
                   geometry: f.loadGeometry(), extent: layer.extent });
    }
    out[name] = feats;
  }
  return out;
}

const [archive, dir] = process.argv.slice(2);
if (!archive || !dir) fail("usage: check-pmtiles.mjs ARCHIVE DIR");
const pm = new PMTiles(new FileSource(archive));
const header = await pm.getHeader();
const metadata = await pm.getMetadata();
if (header.specVersion !== 3) fail(`spec version ${header.specVersion}`);
if (!header.clustered) fail("archive is not clustered");

const files = [];
for (const z of fs.readdirSync(dir)) {
  if (!/^\d+$/.test(z)) continue;
  for (const x of fs.readdirSync(path.join(dir, z)))
    for (const y of fs.readdirSync(path.join(dir, z, x)))
      files.push([+z, +x, +y.replace(/\.mvt$/, "")]);
}
if (files.length !== header.numAddressedTiles)
  fail(`${files.length} tiles in ${dir}, ${header.numAddressedTiles} in the archive`);

const maxzoom = header.maxZoom;
const inside = [];
for (const [z, x, y] of files) {
  const got = await pm.getZxy(z, x, y);
  if (!got) fail(`tile ${z}/${x}/${y} missing from the archive`);
  const a = decode(got.data);
  const b = decode(fs.readFileSync(path.join(dir, `${z}`, `${x}`, `${y}.mvt`)));
  if (JSON.stringify(a) !== JSON.stringify(b))
    fail(`tile ${z}/${x}/${y} differs between the archive and ${dir}`);
  if (z !== maxzoom) continue;
  for (const f of a.listings || []) {
    const p = f.geometry[0][0];
    if (p.x >= 0 && p.y >= 0 && p.x < f.extent && p.y < f.extent)
      inside.push({ id: f.id, ...f.properties });
  }
}
// A tile that is not in the directory is not in the archive either.
if (await pm.getZxy(maxzoom, 0, 0)) fail("tile 0/0 at max zoom is not empty");

console.log(JSON.stringify({ header: {
  specVersion: header.specVersion, minZoom: header.minZoom,
  maxZoom: header.maxZoom, numAddressedTiles: header.numAddressedTiles,
  numTileEntries: header.numTileEntries,
  numTileContents: header.numTileContents, tileType: header.tileType,
  tileCompression: header.tileCompression, minLon: header.minLon,
  minLat: header.minLat, maxLon: header.maxLon, maxLat: header.maxLat },
  metadata, tiles: files.length, features: inside }));
