// Alerts: filters kept in the address (so a filtered view is a link), counts
// by detection and severity, cursor paging, refresh without reloading.

import {api} from '../api.js';
import {errorBox, fmtTime, h, num, pct, route, sevBadge, statusBadge} from '../dom.js';

const severities = ['High', 'Medium', 'Low'];
const statuses = ['new', 'active', 'resolved', 'dismissed'];
const ranges = [['', 'Any time'], ['24h', 'Last 24 hours'], ['168h', 'Last 7 days'], ['720h', 'Last 30 days'], ['custom', 'Custom']];
const multi = ['detection', 'severity', 'status'];
const single = ['since', 'until', 'range', 'tenant', 'subscription', 'q', 'sort', 'limit'];

// filtersFrom reads the filter state from the address's query.
export function filtersFrom(query) {
  const f = {};
  for (const k of multi) f[k] = query.getAll(k);
  for (const k of single) f[k] = query.get(k) || '';
  return f;
}

// apiParams turns the filter state into the API's query parameters.
export function apiParams(f) {
  const p = {detection: f.detection, severity: f.severity, status: f.status, tenant: f.tenant,
    subscription: f.subscription, q: f.q, sort: f.sort};
  if (f.range && f.range !== 'custom') {
    p.since = new Date(Date.now() - parseInt(f.range, 10) * 3600e3).toISOString();
  } else if (f.range === 'custom') {
    if (f.since) p.since = new Date(f.since + 'Z').toISOString();
    if (f.until) p.until = new Date(f.until + 'Z').toISOString();
  }
  return p;
}

function checkboxes(name, legend, values, chosen, label = (v) => v) {
  return h('fieldset', {class: 'checks'}, h('legend', null, legend), values.map((v) =>
    h('label', null, h('input', {type: 'checkbox', name, value: v, checked: chosen.includes(v)}), ' ', label(v))));
}

function field(id, label, input) {
  return h('div', {class: 'field'}, h('label', {for: id}, label), input);
}

function filterForm(f, detections, onApply) {
  const names = Object.fromEntries(detections.map((d) => [d.id, d.name]));
  const sel = (id, opts, v) => h('select', {id, name: id}, opts.map(([val, text]) =>
    h('option', {value: val, selected: val === v}, text)));
  const form = h('form', {class: 'filters card', role: 'search', 'aria-label': 'Filter alerts'},
    field('q', 'Search principal, IP or host', h('input', {id: 'q', name: 'q', type: 'search', value: f.q})),
    field('range', 'Time range', sel('range', ranges, f.range)),
    h('div', {class: 'field custom-range', hidden: f.range !== 'custom'},
      h('label', {for: 'since'}, 'From (UTC)'), h('input', {id: 'since', name: 'since', type: 'datetime-local', value: f.since}),
      h('label', {for: 'until'}, 'To (UTC)'), h('input', {id: 'until', name: 'until', type: 'datetime-local', value: f.until})),
    field('detection', 'Detection', h('select', {id: 'detection', name: 'detection', multiple: true, size: 4},
      detections.map((d) => h('option', {value: d.id, selected: f.detection.includes(d.id)}, names[d.id] || d.id)))),
    checkboxes('severity', 'Severity', severities, f.severity),
    checkboxes('status', 'Status', statuses, f.status),
    field('tenant', 'Tenant', h('input', {id: 'tenant', name: 'tenant', value: f.tenant})),
    field('subscription', 'Subscription', h('input', {id: 'subscription', name: 'subscription', value: f.subscription})),
    field('sort', 'Sort', sel('sort', [['-time', 'Newest first'], ['time', 'Oldest first'],
      ['-severity', 'Most severe first'], ['severity', 'Least severe first']], f.sort || '-time')),
    field('limit', 'Per page', sel('limit', [['25', '25'], ['50', '50'], ['100', '100'], ['200', '200']], f.limit || '50')),
    h('div', {class: 'row'}, h('button', {type: 'submit', id: 'apply'}, 'Apply filters'),
      h('a', {href: '#/alerts', class: 'button secondary'}, 'Clear')));
  form.range.addEventListener('change', () => {
    form.querySelector('.custom-range').hidden = form.range.value !== 'custom';
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) q.append(k, v);
    onApply(q);
  });
  return form;
}

function countChips(counts, names, query) {
  const chip = (key, value, label, n) => {
    const q = new URLSearchParams(query);
    q.delete(key);
    q.append(key, value);
    return h('li', null, h('a', {href: '#/alerts?' + q, class: 'chip', 'data-count': key + ':' + value},
      label, ' ', h('strong', null, num(n))));
  };
  const bySev = severities.filter((s) => counts.by_severity?.[s]).map((s) => chip('severity', s, s, counts.by_severity[s]));
  const byDet = Object.entries(counts.by_detection || {}).sort((a, b) => b[1] - a[1])
    .map(([d, n]) => chip('detection', d, names[d] || d, n));
  return h('div', {class: 'counts card', 'aria-label': 'Counts'},
    h('p', {class: 'total'}, h('strong', {id: 'total'}, num(counts.total)), ' alerts match'),
    h('ul', {class: 'chips', 'aria-label': 'By severity'}, bySev),
    h('ul', {class: 'chips', 'aria-label': 'By detection'}, byDet));
}

// whoLink links an alert's host or principal to its page.
function whoLink(a) {
  const host = (a.entities || []).find((e) => e.type === 'host');
  if (host) return h('a', {href: route('hosts', host.id)}, host.id);
  return a.tenant ? h('a', {href: route('principals', a.tenant, a.principal)}, a.principal) : a.principal;
}

function alertRows(alerts) {
  return alerts.map((a) => h('tr', {'data-alert': a.id, 'data-detection': a.detection},
    h('td', null, h('time', {datetime: a.time}, fmtTime(a.time))),
    h('td', null, sevBadge(a.severity)),
    h('td', null, h('a', {href: route('alerts', a.id)}, a.name)),
    h('td', null, whoLink(a)),
    h('td', {class: 'num'}, pct(a.confidence)),
    h('td', null, statusBadge(a.triage?.status)),
    h('td', {class: 'muted small'}, a.subscription || a.tenant || '')));
}

// alertTable renders a page of alerts; it is shared with the entity pages.
export function alertTable(alerts, caption = 'Alerts') {
  if (!alerts.length) return h('p', {class: 'empty'}, 'No alerts match.');
  return h('div', {class: 'table-wrap'}, h('table', {class: 'alerts'},
    h('caption', {class: 'sr-only'}, caption),
    h('thead', null, h('tr', null, ['Time (UTC)', 'Severity', 'Alert', 'Principal / host', 'Confidence', 'Status', 'Scope']
      .map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', null, alertRows(alerts))));
}

export async function render(main, {query}) {
  const f = filtersFrom(query);
  const detections = await api('detections');
  const names = Object.fromEntries(detections.map((d) => [d.id, d.name]));
  const cursors = [''];
  let page = 0;
  const results = h('div', {id: 'results', 'aria-live': 'polite'});
  const updated = h('span', {class: 'muted small', id: 'updated'});
  const params = apiParams(f);
  const limit = f.limit || '50';

  // load shows the page of alerts as soon as it arrives; the counts, which
  // read every matching alert, follow on their own.
  async function load() {
    results.setAttribute('aria-busy', 'true');
    const counts = api('alerts/counts', {params});
    counts.catch(() => {}); // reported below, once the list is shown
    const countsBox = h('div', {class: 'counts card'}, h('p', {class: 'total muted'}, 'Counting…'));
    try {
      const list = await api('alerts', {params: {...params, limit, cursor: cursors[page]}});
      if (list.next_cursor) cursors[page + 1] = list.next_cursor;
      else cursors.length = page + 1;
      results.replaceChildren(countsBox, alertTable(list.alerts || []),
        h('nav', {class: 'pager', 'aria-label': 'Pages'},
          h('button', {type: 'button', id: 'prev', disabled: page === 0, onclick: () => { page--; load(); }}, '← Previous'),
          h('span', null, `Page ${page + 1}`),
          h('button', {type: 'button', id: 'next', disabled: !list.next_cursor, onclick: () => { page++; load(); }}, 'Next →')));
      countsBox.replaceWith(countChips(await counts, names, query));
      results.dataset.query = location.hash;
      updated.textContent = 'Updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    } catch (err) {
      results.replaceChildren(errorBox(err));
    } finally {
      results.removeAttribute('aria-busy');
    }
  }

  let timer = null;
  const auto = h('input', {type: 'checkbox', id: 'auto', onchange: (e) => {
    clearInterval(timer);
    timer = e.target.checked ? setInterval(load, 30000) : null;
  }});
  main.append(
    h('div', {class: 'heading'}, h('h1', null, 'Alerts'),
      h('div', {class: 'row'}, updated,
        h('button', {type: 'button', id: 'refresh', class: 'secondary', onclick: load}, 'Refresh'),
        h('label', {class: 'small'}, auto, ' every 30 s'))),
    h('div', {class: 'split'},
      h('details', {class: 'filter-box', open: !matchMedia('(max-width: 900px)').matches},
        h('summary', null, 'Filters'),
        filterForm(f, detections, (q) => { location.hash = '#/alerts?' + q; })),
      results));
  await load();
  return () => clearInterval(timer);
}
