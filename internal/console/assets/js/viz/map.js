// Maps: impossible travel (both places, accuracy circles, great-circle path,
// distance, time, implied speed) and a country against the organisation's.

import {fmtDuration, fmtTime, h, num, s} from '../dom.js';
import {circle, distanceKm, greatCircle, loadWorld, pathOf, project} from './geo.js';

const FULL = [-280, -150, 560, 300];

function fit(points) {
  const xy = points.map(project);
  const xs = xy.map((p) => p[0]);
  const ys = xy.map((p) => p[1]);
  let w = Math.max(Math.max(...xs) - Math.min(...xs), 40) * 1.5;
  let hgt = Math.max(Math.max(...ys) - Math.min(...ys), 20) * 1.5;
  if (w / hgt > 2) hgt = w / 2; else w = hgt * 2;
  w = Math.min(w, FULL[2]);
  hgt = Math.min(hgt, FULL[3]);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const x = Math.min(Math.max(cx - w / 2, FULL[0]), FULL[0] + FULL[2] - w);
  const y = Math.min(Math.max(cy - hgt / 2, FULL[1]), FULL[1] + FULL[3] - hgt);
  return [x, y, w, hgt];
}

function baseMap(countries, view, label, classOf) {
  const id = 'map-' + Math.random().toString(36).slice(2, 8);
  return s('svg', {class: 'map', viewBox: view.map((v) => v.toFixed(1)).join(' '), role: 'img',
    'aria-labelledby': id, preserveAspectRatio: 'xMidYMid meet'},
  s('title', {id}, label),
  s('rect', {class: 'sea', x: view[0], y: view[1], width: view[2], height: view[3]}),
  s('g', {class: 'countries'}, countries.map((c) =>
    s('path', {d: pathOf(c.rings), class: classOf(c), 'data-country': c.alpha2},
      s('title', null, c.name + (c.alpha2 ? ` (${c.alpha2})` : ''))))));
}

function placeLabel(p) {
  return [p.city, p.country].filter(Boolean).join(', ') || 'unknown place';
}

// place is what the travel map needs of one side: coordinates, accuracy, time.
export function placeOf(entity, evidence) {
  const loc = entity?.location;
  if (!loc || !loc.has_coord) return null;
  const ev = evidence.find((e) => e.ip === entity.id);
  return {ip: entity.id, role: entity.role, lon: loc.lon, lat: loc.lat, radius: loc.radius_km || 0,
    city: loc.city, country: loc.country, time: ev?.time, app: ev?.app};
}

// travelMap draws both places of an impossible-travel alert.
export async function travelMap(prev, curr) {
  const countries = await loadWorld();
  const a = [prev.lon, prev.lat];
  const b = [curr.lon, curr.lat];
  const arc = greatCircle(a, b);
  const view = fit([a, b, ...arc.flat(), ...circle(a, prev.radius, 8), ...circle(b, curr.radius, 8)]);
  const involved = new Set([prev.country, curr.country]);
  const km = distanceKm(a, b);
  const net = Math.max(0, km - prev.radius - curr.radius);
  const ms = new Date(curr.time) - new Date(prev.time);
  const speed = ms > 0 ? net / (ms / 3600e3) : Infinity;
  const label = `Map: ${placeLabel(prev)} then ${placeLabel(curr)}, ${num(Math.round(km))} km apart`;
  const svg = baseMap(countries, view, label, (c) => (involved.has(c.alpha2) ? 'land involved' : 'land'));
  const r = view[2] / 110;
  const marker = (p, name) => {
    const [x, y] = project([p.lon, p.lat]);
    const left = x > view[0] + view[2] / 2; // labels point inwards, never off the map
    return s('g', {class: `place ${name}`, 'data-place': name},
      s('path', {class: 'accuracy', d: pathOf([circle([p.lon, p.lat], p.radius)])}),
      s('circle', {cx: x, cy: y, r}),
      s('text', {x: left ? x - r * 1.6 : x + r * 1.6, y: y - r * 1.2, 'text-anchor': left ? 'end' : 'start',
        'font-size': r * 3.2}, `${name === 'previous' ? '1' : '2'} ${placeLabel(p)}`));
  };
  svg.append(
    s('g', {class: 'route'}, arc.map((seg) => s('path', {d: pathOf([seg], false), 'stroke-width': r / 2.5}))),
    marker(prev, 'previous'), marker(curr, 'current'));
  const fact = (term, value, id) => [h('dt', null, term), h('dd', {id}, value)];
  return h('figure', {class: 'travel'}, svg,
    h('figcaption', null, h('dl', {class: 'facts'},
      fact('1 · Previous', `${placeLabel(prev)} · ${prev.ip} · ${fmtTime(prev.time)} · ±${num(prev.radius)} km`, 'place-previous'),
      fact('2 · Current', `${placeLabel(curr)} · ${curr.ip} · ${fmtTime(curr.time)} · ±${num(curr.radius)} km`, 'place-current'),
      fact('Distance', `${num(Math.round(km))} km (${num(Math.round(net))} km after both accuracy radii)`, 'travel-distance'),
      fact('Time between', fmtDuration(ms), 'travel-time'),
      fact('Implied speed', Number.isFinite(speed) ? `${num(Math.round(speed))} km/h` : 'instantaneous', 'travel-speed'))));
}

// countryMap highlights country against the organisation's usual countries.
export async function countryMap(country, usual, usualLabel, point) {
  const countries = await loadWorld();
  const known = new Set(usual);
  const label = `Map: ${country} highlighted against ${usualLabel}: ${usual.join(', ') || 'none'}`;
  const svg = baseMap(countries, FULL, label, (c) =>
    (c.alpha2 === country ? 'land alerted' : known.has(c.alpha2) ? 'land usual' : 'land'));
  if (point) {
    const [x, y] = project([point.lon, point.lat]);
    svg.append(s('circle', {class: 'pin', cx: x, cy: y, r: 3, 'data-place': 'alerted'}));
  }
  return h('figure', {class: 'country-map'}, svg,
    h('figcaption', null, h('ul', {class: 'legend'},
      h('li', null, h('span', {class: 'swatch alerted'}), ` ${country}: this alert`),
      h('li', null, h('span', {class: 'swatch usual'}), ` ${usualLabel} (${usual.length})`))));
}

// countriesMap highlights a set of countries (a principal's).
export async function countriesMap(list, label) {
  const countries = await loadWorld();
  const known = new Set(list);
  return baseMap(countries, FULL, `${label}: ${list.join(', ') || 'none'}`, (c) => (known.has(c.alpha2) ? 'land usual' : 'land'));
}
