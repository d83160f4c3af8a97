// convert.js turns world-atlas countries-50m.json (TopoJSON, Natural Earth,
// public domain) into the small GeoJSON of the Korean peninsula region that
// the offline map embeds. Run once, by hand:
//
//   npm pack world-atlas topojson-client   (in a temp dir, then untar)
//   node convert.js countries-50m.json topojson-client.js > ../static/geo/east-asia.json
//
// It clips every country to a box around the peninsula and rounds
// coordinates to 0.01 degree (about 1 km), which is plenty for context.
const fs = require("fs");
const topojson = require(process.argv[3]);
const topo = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const box = { w: 115, s: 30, e: 136, n: 46 };
const fc = topojson.feature(topo, topo.objects.countries);

function clip(ring) {
  // Sutherland–Hodgman against the four edges of box.
  const edges = [
    [(p) => p[0] >= box.w, (a, b) => at(a, b, 0, box.w)],
    [(p) => p[0] <= box.e, (a, b) => at(a, b, 0, box.e)],
    [(p) => p[1] >= box.s, (a, b) => at(a, b, 1, box.s)],
    [(p) => p[1] <= box.n, (a, b) => at(a, b, 1, box.n)],
  ];
  let out = ring;
  for (const [inside, cross] of edges) {
    const inp = out;
    out = [];
    for (let i = 0; i < inp.length; i++) {
      const cur = inp[i], prev = inp[(i + inp.length - 1) % inp.length];
      if (inside(cur)) {
        if (!inside(prev)) out.push(cross(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cross(prev, cur));
    }
    if (out.length === 0) return [];
  }
  return out;
}
function at(a, b, k, v) {
  const t = (v - a[k]) / (b[k] - a[k]);
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}
function round(ring) {
  const r = [];
  for (const p of ring) {
    const q = [Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100];
    const last = r[r.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) r.push(q);
  }
  if (r.length > 2) r.push(r[0]);
  return r;
}
const features = [];
for (const f of fc.features) {
  if (!f.geometry) continue;
  const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
  const outPolys = [];
  for (const poly of polys) {
    const rings = poly.map((r) => round(clip(r.slice(0, -1)))).filter((r) => r.length >= 4);
    if (rings.length > 0) outPolys.push(rings);
  }
  if (outPolys.length === 0) continue;
  features.push({
    type: "Feature",
    properties: { id: f.id, name: f.properties.name },
    geometry: { type: "MultiPolygon", coordinates: outPolys },
  });
}
process.stdout.write(JSON.stringify({ type: "FeatureCollection", features }));
