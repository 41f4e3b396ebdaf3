// One incident: its alerts on a timeline, the union of their entities, and
// the incident's own triage.

import {api, seg} from '../api.js';
import {fmtTime, h, route, s, section, sevBadge, statusBadge, table} from '../dom.js';
import {triageForm} from './triage.js';

function timelineChart(alerts) {
  const times = alerts.map((a) => new Date(a.time).getTime());
  const t0 = Math.min(...times);
  const span = Math.max(Math.max(...times) - t0, 60e3);
  const W = 640;
  const x = (t) => 20 + ((t - t0) / span) * (W - 40);
  return s('svg', {class: 'incident-timeline', viewBox: `0 0 ${W} 60`, role: 'img',
    'aria-label': `Alerts from ${fmtTime(new Date(t0).toISOString())} over ${Math.round(span / 60e3)} minutes`},
  s('line', {class: 'axis', x1: 20, x2: W - 20, y1: 30, y2: 30}),
  alerts.map((a, i) => s('circle', {class: `dot sev-${String(a.severity).toLowerCase()}`, cx: x(times[i]), cy: 30, r: 7},
    s('title', null, `${fmtTime(a.time)} ${a.name}`))),
  s('text', {class: 'tick', x: 20, y: 56}, fmtTime(new Date(t0).toISOString())),
  s('text', {class: 'tick', x: W - 20, y: 56, 'text-anchor': 'end'}, fmtTime(new Date(t0 + span).toISOString())));
}

function timeline(alerts) {
  return h('ol', {class: 'timeline', id: 'incident-alerts'}, alerts.map((a) => h('li', {'data-alert': a.id},
    h('time', {datetime: a.time}, fmtTime(a.time)),
    h('div', null,
      h('p', null, sevBadge(a.severity), ' ', h('a', {href: route('alerts', a.id)}, a.name), ' ', statusBadge(a.triage?.status)),
      h('p', {class: 'small muted'}, a.principal,
        ...(a.entities || []).filter((e) => e.type === 'ip').map((e) =>
          ` · ${e.id}${e.location?.country ? ` (${e.location.country})` : ''}`))))));
}

export async function render(main, {params}) {
  const [id] = params;
  const reload = async () => {
    const inc = await api(`incidents/${seg(id)}`);
    const alerts = [...(inc.alerts || [])].sort((a, b) => new Date(a.time) - new Date(b.time));
    main.replaceChildren(
      h('p', {class: 'crumbs'}, h('a', {href: '#/incidents'}, 'Incidents'), ' / ', inc.id),
      h('h1', null, inc.title || 'Incident'),
      h('p', {class: 'row'}, sevBadge(inc.severity), statusBadge(inc.status),
        `${inc.alert_count} alerts · ${fmtTime(inc.first_seen)} → ${fmtTime(inc.last_seen)}`,
        inc.principal && inc.tenant ? h('a', {href: route('principals', inc.tenant, inc.principal)}, inc.principal) : null,
        inc.host ? h('a', {href: route('hosts', inc.host)}, inc.host) : null),
      h('div', {class: 'grid'},
        h('div', {class: 'col-main'},
          section('Timeline', alerts.length ? timelineChart(alerts) : null, timeline(alerts)),
          section('Entities', table('Entities', ['Type', 'Identifier', 'Role'],
            (inc.entities || []).map((e) => [e.type, e.id, e.role || '']), {class: 'entities'}))),
        h('div', {class: 'col-side'},
          section('Triage', triageForm(`incidents/${seg(inc.id)}`, inc, reload)),
          section('Detections', h('ul', null, (inc.detections || []).map((d) => h('li', null, d)))))));
  };
  await reload();
}
