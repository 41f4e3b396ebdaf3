// World geometry and the Natural Earth projection, written out rather than
// pulled from a library: TopoJSON decoding, projection, great circles and
// accuracy circles are a few dozen lines each.

const RAD = Math.PI / 180;
const EARTH_KM = 6371.0088;

let world = null;

// loadWorld fetches the shipped world-atlas TopoJSON once and decodes it into
// countries: {id (ISO numeric), alpha2, name, rings: [[[lon, lat], ...], ...]}.
export function loadWorld() {
  world ||= Promise.all([
    fetch('assets/world/countries-110m.json').then((r) => r.json()),
    fetch('assets/world/iso-numeric.json').then((r) => r.json()),
  ]).then(([topo, iso]) => decode(topo, iso));
  return world;
}

function decode(topo, iso) {
  const alpha2 = Object.fromEntries(Object.entries(iso).map(([a, n]) => [n, a]));
  const [sx, sy] = topo.transform.scale;
  const [tx, ty] = topo.transform.translate;
  const arcs = topo.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * sx + tx, y * sy + ty];
    });
  });
  const arc = (i) => (i >= 0 ? arcs[i] : arcs[~i].slice().reverse());
  const ring = (ids) => ids.flatMap((i, k) => (k ? arc(i).slice(1) : arc(i)));
  return topo.objects.countries.geometries.map((g) => {
    const polys = g.type === 'Polygon' ? [g.arcs] : g.type === 'MultiPolygon' ? g.arcs : [];
    return {id: g.id, alpha2: alpha2[g.id] || '', name: g.properties?.name || '', rings: polys.flatMap((p) => p.map(ring)).flatMap(wrap)};
  });
}

// wrap keeps a ring that crosses the antimeridian (Russia, Fiji) in one
// piece: longitudes are unwrapped to stay continuous, and a copy shifted by
// a whole turn draws the part that falls off the other edge.
function wrap(r) {
  let shift = 0;
  let crosses = false;
  const out = r.map(([lon, lat], i) => {
    if (i && Math.abs(lon + shift - (r[i - 1][0] + shift)) > 180) {
      shift += lon < r[i - 1][0] ? 360 : -360;
      crosses = true;
    }
    return [lon + shift, lat];
  });
  if (!crosses) return [r];
  const east = out.some(([lon]) => lon > 180);
  return [out, out.map(([lon, lat]) => [lon + (east ? -360 : 360), lat])];
}

// project maps [lon, lat] in degrees to the Natural Earth I projection
// (Šavrič et al. 2011), scaled so x is in [-273.5, 273.5] and y grows south.
export function project([lon, lat]) {
  const l = lon * RAD;
  const p = lat * RAD;
  const p2 = p * p;
  const p4 = p2 * p2;
  const x = l * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)));
  const y = p * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)));
  return [x * 100, -y * 100];
}

// pathOf turns rings of [lon, lat] into an SVG path in projected coordinates.
export function pathOf(rings, closed = true) {
  return rings.map((r) => 'M' + r.map((pt) => project(pt).map((v) => v.toFixed(2)).join(',')).join('L') + (closed ? 'Z' : '')).join('');
}

function vec([lon, lat]) {
  const l = lon * RAD;
  const p = lat * RAD;
  return [Math.cos(p) * Math.cos(l), Math.cos(p) * Math.sin(l), Math.sin(p)];
}

function unvec([x, y, z]) {
  return [Math.atan2(y, x) / RAD, Math.atan2(z, Math.hypot(x, y)) / RAD];
}

// distanceKm is the great-circle distance between two [lon, lat] points.
export function distanceKm(a, b) {
  const [x1, y1, z1] = vec(a);
  const [x2, y2, z2] = vec(b);
  const dot = Math.min(1, Math.max(-1, x1 * x2 + y1 * y2 + z1 * z2));
  return Math.acos(dot) * EARTH_KM;
}

// greatCircle returns the path from a to b as segments of [lon, lat],
// split where it crosses the antimeridian.
export function greatCircle(a, b, steps = 96) {
  const va = vec(a);
  const vb = vec(b);
  const omega = Math.acos(Math.min(1, Math.max(-1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2])));
  const segs = [[]];
  let prev = null;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const k1 = omega ? Math.sin((1 - t) * omega) / Math.sin(omega) : 1 - t;
    const k2 = omega ? Math.sin(t * omega) / Math.sin(omega) : t;
    const pt = unvec([0, 1, 2].map((j) => k1 * va[j] + k2 * vb[j]));
    if (prev && Math.abs(pt[0] - prev[0]) > 180) segs.push([]);
    segs[segs.length - 1].push(pt);
    prev = pt;
  }
  return segs;
}

// circle returns the ring of points radiusKm from centre [lon, lat].
export function circle([lon, lat], radiusKm, steps = 72) {
  const d = radiusKm / EARTH_KM;
  const p1 = lat * RAD;
  const l1 = lon * RAD;
  const ring = [];
  for (let i = 0; i <= steps; i++) {
    const b = (2 * Math.PI * i) / steps;
    const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
    const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    ring.push([((l2 / RAD + 540) % 360) - 180, p2 / RAD]);
  }
  return ring;
}
