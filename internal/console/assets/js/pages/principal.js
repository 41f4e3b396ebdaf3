// A principal's page: what its baseline knows (countries, IPs, apps, usual
// hours over the window) and its alerts.

import {api, seg} from '../api.js';
import {errorBox, fmtTime, h, section, table} from '../dom.js';
import {usualHours} from '../viz/charts.js';
import {countriesMap} from '../viz/map.js';
import {alertTable} from './alerts.js';

export async function render(main, {params}) {
  const [tenant, principal] = params;
  const [p, alerts] = await Promise.all([
    api(`principals/${seg(tenant)}/${seg(principal)}`).catch((err) => ({error: err})),
    api('alerts', {params: {principal, tenant, limit: 100}}),
  ]);
  main.append(h('p', {class: 'crumbs'}, 'Principal / ', tenant), h('h1', null, principal));
  if (p.error) {
    main.append(section('Baseline', errorBox(p.error)));
  } else {
    const countries = (p.countries || []).map((c) => c.country);
    main.append(
      h('dl', {class: 'facts compact'}, h('dt', null, 'First seen'), h('dd', null, fmtTime(p.first_seen)),
        h('dt', null, 'Last seen'), h('dd', null, fmtTime(p.last_seen))),
      h('div', {class: 'grid'},
        h('div', {class: 'col-main'},
          section('Countries of the window', await countriesMap(countries, `Countries used by ${principal}`),
            table('Countries', ['Country', 'Last seen'], (p.countries || []).map((c) => [c.country, fmtTime(c.last_seen)]))),
          section('Usual hours (UTC)', usualHours(p.usual_hours))),
        h('div', {class: 'col-side'},
          section('IP addresses', table('IP addresses', ['IP', 'Country', 'Last seen'],
            (p.ips || []).map((x) => [x.ip, x.country || '', fmtTime(x.last_seen)]))),
          section('Apps', h('ul', null, (p.apps || []).map((x) => h('li', null, typeof x === 'string' ? x : x.app || x.name || JSON.stringify(x))))))));
  }
  main.append(section('Alerts', alertTable(alerts.alerts || [], `Alerts of ${principal}`)));
}
