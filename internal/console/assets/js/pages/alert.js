// One alert: what happened, why we think so, what to do, and its triage.

import {api, hasRoute, seg} from '../api.js';
import {errorBox, fmtTime, h, route, section, sevBadge, statusBadge, table} from '../dom.js';
import {factorChart} from '../viz/charts.js';
import {picture} from './pictures.js';
import {triageSection} from './triage.js';

function placeText(loc) {
  if (!loc) return '';
  return [loc.city, loc.country].filter(Boolean).join(', ') + (loc.radius_km ? ` ±${loc.radius_km} km` : '');
}

function entityLink(a, e) {
  if (e.type === 'principal' && a.tenant) return h('a', {href: route('principals', a.tenant, e.id)}, e.id);
  if (e.type === 'host') return h('a', {href: route('hosts', e.id)}, e.id);
  if (e.type === 'ip') return h('a', {href: '#/alerts?q=' + encodeURIComponent(e.id), title: 'Alerts with this IP'}, e.id);
  return e.id;
}

function entities(a) {
  return section('Entities', table('Entities', ['Type', 'Identifier', 'Role', 'Location'],
    (a.entities || []).map((e) => [e.type, entityLink(a, e), e.role || '', placeText(e.location)]), {class: 'entities'}));
}

function evidence(a) {
  const items = [...(a.evidence || [])].sort((x, y) => new Date(x.time) - new Date(y.time));
  return section('Evidence', h('ol', {class: 'timeline', id: 'evidence'}, items.map((e) => h('li', null,
    h('time', {datetime: e.time}, fmtTime(e.time)),
    h('div', null,
      h('p', null, h('strong', null, e.operation), ` · ${e.result}`, e.ip ? ` · ${e.ip}` : '',
        e.location ? ` (${placeText(e.location)})` : '', e.app ? ` · ${e.app}` : ''),
      e.user_agent ? h('p', {class: 'small muted'}, e.user_agent) : null,
      e.resource ? h('p', {class: 'small muted'}, 'Resource ', h('code', null, e.resource)) : null,
      h('p', {class: 'small source'}, 'Source ', h('code', null, e.source), ' record ',
        h('code', {'data-record': e.record}, String(e.record)), ' · key ', h('code', null, e.key)))))));
}

function suppressions(a) {
  const list = a.suppressions_checked;
  if (!list?.length) return null;
  return section('Suppressions checked', h('ul', {class: 'suppressions'}, list.map((x) => h('li', null,
    h('strong', null, x.name), x.applied ? ' — applied' : ' — not applied', x.why ? `: ${x.why}` : ''))));
}

// sharedEgress lists, beside impossible travel's suppressions, the networks
// and IPs the tenant's principals share: travel between them is not alerted.
async function sharedEgress(a) {
  if (a.detection !== 'impossible-travel' || !a.tenant || !(await hasRoute('/tenants/{tenant}/egress'))) return null;
  const res = await api(`tenants/${seg(a.tenant)}/egress`).catch((err) => ({err}));
  if (res.err) return section('Shared egress', errorBox(res.err));
  return section('Shared egress', res.egress.length ? table('Shared egress of the tenant', ['Network', 'Principals', 'Last seen'],
    res.egress.map((e) => [e.prefix, e.principals >= 8 ? '8+' : String(e.principals), fmtTime(e.last_seen).slice(0, 10)]), {id: 'shared-egress'})
    : h('p', {class: 'muted'}, 'No network or IP shared by several principals in the window.'));
}

function header(a) {
  const t = a.triage || {};
  return h('header', {class: 'alert-head'},
    h('p', {class: 'crumbs'}, h('a', {href: '#/alerts'}, 'Alerts'), ' / ', a.detection),
    h('h1', null, a.name),
    h('p', {class: 'row'}, sevBadge(a.severity), statusBadge(t.status),
      h('time', {datetime: a.time}, fmtTime(a.time)),
      a.principal && a.tenant ? h('a', {href: route('principals', a.tenant, a.principal)}, a.principal) : a.principal,
      t.incident_id ? h('a', {href: route('incidents', t.incident_id), id: 'incident-link'}, 'Incident') : null,
      t.suppressed_by ? h('span', {class: 'badge'}, `suppressed by ${t.suppressed_by}`) : null),
    h('dl', {class: 'facts compact'},
      h('dt', null, 'MITRE ATT&CK'), h('dd', {id: 'mitre'}, `${a.mitre?.tactic || ''} · ${a.mitre?.technique || ''} (${a.mitre?.technique_id || ''})`),
      h('dt', null, 'Tenant'), h('dd', null, a.tenant || '—'),
      a.subscription ? [h('dt', null, 'Subscription'), h('dd', null, a.subscription)] : null,
      h('dt', null, 'Alert ID'), h('dd', null, h('code', null, a.id))));
}

export async function render(main, {params}) {
  const [id] = params;
  const reload = async () => {
    const a = await api(`alerts/${seg(id)}`);
    const [pic, egress] = await Promise.all([picture(a), sharedEgress(a)]);
    main.replaceChildren(header(a),
      h('div', {class: 'grid'},
        h('div', {class: 'col-main'},
          section('What happened', h('p', {class: 'description'}, a.description)),
          pic,
          section('Why: confidence', factorChart(a.confidence, a.factors)),
          evidence(a),
          entities(a)),
        h('div', {class: 'col-side'},
          triageSection(a, reload),
          section('What to do', h('ol', {class: 'remediation'}, (a.remediation || []).map((r) => h('li', null, r)))),
          suppressions(a),
          egress)));
  };
  await reload();
}
