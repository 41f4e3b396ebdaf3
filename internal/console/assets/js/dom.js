// DOM helpers: elements are built with text nodes only (never innerHTML),
// so nothing an alert carries can become markup.

const SVG = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'selected') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h builds an HTML element: h('a', {href: '#/x', class: 'y'}, 'text', child).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  return append(el, children);
}

// s builds an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  apply(el, attrs);
  return append(el, children);
}

// fmtTime shows an RFC 3339 instant in UTC, to the second.
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1971) return '';
  return d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

// fmtDuration shows milliseconds as "1 h 22 min" or "45 s".
export function fmtDuration(ms) {
  const sec = Math.round(Math.abs(ms) / 1000);
  if (sec < 60) return `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ${sec % 60} s`;
  const hr = Math.floor(min / 60);
  if (hr < 48) return `${hr} h ${min % 60} min`;
  return `${Math.floor(hr / 24)} d ${hr % 24} h`;
}

export const num = (n) => Number(n || 0).toLocaleString('en-GB');
export const pct = (x) => `${Math.round(Number(x || 0) * 100)}%`;

export function sevBadge(sev) {
  return h('span', {class: `badge sev-${String(sev || '').toLowerCase()}`}, sev || '—');
}

export function statusBadge(st) {
  return h('span', {class: `badge st-${st || 'new'}`}, (st || 'new').replace('_', ' '));
}

// link builds an in-console link from path segments, each one escaped.
export function route(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(p)).join('/');
}

export function section(title, ...children) {
  const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', {class: 'card', 'aria-labelledby': id}, h('h2', {id}, title), ...children);
}

// table builds a table from column titles and rows of cells.
export function table(caption, cols, rows, attrs) {
  return h('div', {class: 'table-wrap'},
    h('table', attrs,
      caption ? h('caption', {class: 'sr-only'}, caption) : null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c)))))));
}

export function errorBox(err) {
  return h('p', {class: 'error', role: 'alert'}, String(err && err.message ? err.message : err));
}

let toastTimer;
// toast announces a short message to screen readers and sighted users.
export function toast(msg) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 4000);
}
