// Incidents: alerts on one principal or host within a window, as a list.

import {api} from '../api.js';
import {errorBox, fmtTime, h, num, route, sevBadge, statusBadge} from '../dom.js';

const statuses = ['new', 'active', 'resolved', 'dismissed'];

export async function render(main, {query}) {
  const chosen = query.getAll('status');
  const cursors = [''];
  let page = 0;
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'filters inline card', role: 'search', 'aria-label': 'Filter incidents'},
    h('fieldset', {class: 'checks'}, h('legend', null, 'Status'), statuses.map((s) =>
      h('label', null, h('input', {type: 'checkbox', name: 'status', value: s, checked: chosen.includes(s)}), ' ', s))),
    h('button', {type: 'submit'}, 'Apply'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = '#/incidents?' + new URLSearchParams(new FormData(form));
  });
  async function load() {
    try {
      const res = await api('incidents', {params: {status: chosen, limit: 50, cursor: cursors[page]}});
      if (res.next_cursor) cursors[page + 1] = res.next_cursor;
      const rows = (res.incidents || []).map((i) => h('tr', {'data-incident': i.id},
        h('td', null, h('time', {datetime: i.last_seen}, fmtTime(i.last_seen))),
        h('td', null, sevBadge(i.severity)),
        h('td', null, h('a', {href: route('incidents', i.id)}, i.title || i.id)),
        h('td', null, i.principal || i.host || ''),
        h('td', {class: 'num'}, num(i.alert_count)),
        h('td', null, (i.detections || []).join(', ')),
        h('td', null, statusBadge(i.status))));
      out.replaceChildren(rows.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'incidents'},
        h('caption', {class: 'sr-only'}, 'Incidents'),
        h('thead', null, h('tr', null, ['Last seen (UTC)', 'Severity', 'Incident', 'Principal / host', 'Alerts', 'Detections', 'Status']
          .map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', null, rows))) : h('p', {class: 'empty'}, 'No incidents match.'),
      h('nav', {class: 'pager', 'aria-label': 'Pages'},
        h('button', {type: 'button', disabled: page === 0, onclick: () => { page--; load(); }}, '← Previous'),
        h('span', null, `Page ${page + 1}`),
        h('button', {type: 'button', disabled: !res.next_cursor, onclick: () => { page++; load(); }}, 'Next →')));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  }
  main.append(h('h1', null, 'Incidents'), form, out);
  await load();
}
