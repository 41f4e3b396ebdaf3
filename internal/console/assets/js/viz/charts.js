// Small SVG charts: factor contributions, hourly levels, usual hours.

import {h, num, s} from '../dom.js';

// factorChart shows each factor's contribution to the confidence score as a
// bar left (lowers) or right (raises) of zero.
export function factorChart(confidence, factors) {
  const rowH = 28;
  const W = 600;
  const mid = 300;
  const scale = 280;
  const list = factors || [];
  const svg = s('svg', {class: 'factors', viewBox: `0 0 ${W} ${rowH * list.length + 10}`, role: 'img',
    'aria-label': `Confidence ${Math.round(confidence * 100)}%: ` + list.map((f) => `${f.name} ${sign(f.weight)}`).join(', ')},
  s('line', {x1: mid, x2: mid, y1: 0, y2: rowH * list.length + 10, class: 'axis'}),
  list.map((f, i) => {
    const w = Math.abs(f.weight) * scale;
    const y = 5 + i * rowH;
    const pos = f.weight >= 0;
    return s('g', {class: pos ? 'raise' : 'lower', 'data-factor': f.name},
      s('rect', {x: pos ? mid : mid - w, y: y + 4, width: Math.max(w, 1), height: rowH - 10}),
      s('text', {x: pos ? mid - 6 : mid + 6, y: y + rowH / 2 + 4, 'text-anchor': pos ? 'end' : 'start'}, `${f.name} ${sign(f.weight)}`));
  }));
  return h('figure', {class: 'factor-chart'},
    h('p', {class: 'confidence'}, h('span', {class: 'score', id: 'confidence'}, `${Math.round(confidence * 100)}%`), ' confidence'),
    svg,
    h('figcaption', null, h('ul', {class: 'factor-list'}, list.map((f) =>
      h('li', null, h('strong', null, f.name), ` (${sign(f.weight)})`, f.detail ? ': ' + f.detail : '')))));
}

function sign(w) {
  const v = Math.round(w * 100) / 100;
  return (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(2);
}

// barChart draws labelled bars with optional horizontal reference lines
// ({value, label, class}); bars is [{label, value, title, class}].
export function barChart(bars, lines = [], ariaLabel = '') {
  const W = 640;
  const H = 220;
  const pad = {l: 44, r: 10, t: 12, b: 40};
  const max = Math.max(1, ...bars.map((b) => b.value), ...lines.map((l) => l.value)) * 1.1;
  const bw = (W - pad.l - pad.r) / Math.max(bars.length, 1);
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const every = Math.ceil(bars.length / 12);
  return s('svg', {class: 'bars', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': ariaLabel},
    s('line', {class: 'axis', x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0)}),
    s('text', {class: 'tick', x: pad.l - 6, y: y(max / 1.1) + 4, 'text-anchor': 'end'}, num(Math.round(max / 1.1))),
    s('text', {class: 'tick', x: pad.l - 6, y: y(0) + 4, 'text-anchor': 'end'}, '0'),
    bars.map((b, i) => s('g', {class: 'bar ' + (b.class || '')},
      s('rect', {x: pad.l + i * bw + bw * 0.15, y: y(b.value), width: bw * 0.7, height: Math.max(0, y(0) - y(b.value))},
        s('title', null, b.title || `${b.label}: ${num(b.value)}`)),
      i % every === 0 ? s('text', {class: 'tick', x: pad.l + i * bw + bw / 2, y: H - pad.b + 16, 'text-anchor': 'middle'}, b.label) : null)),
    lines.map((l) => s('g', {class: 'ref ' + (l.class || '')},
      s('line', {x1: pad.l, x2: W - pad.r, y1: y(l.value), y2: y(l.value)}),
      s('text', {x: W - pad.r - 4, y: y(l.value) - 4, 'text-anchor': 'end'}, `${l.label} ${num(Math.round(l.value * 10) / 10)}`))));
}

// usualHours shows a principal's activity per hour of day (UTC).
export function usualHours(counts) {
  const bars = (counts || []).map((n, i) => ({label: String(i).padStart(2, '0'), value: n}));
  return barChart(bars, [], 'Activity by hour of day (UTC): ' + bars.map((b) => `${b.label}h ${b.value}`).join(', '));
}
