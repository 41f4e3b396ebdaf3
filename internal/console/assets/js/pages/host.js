// A host's page: its usual hourly levels per channel and its alerts.

import {api, seg} from '../api.js';
import {errorBox, h, num, section, table} from '../dom.js';
import {barChart} from '../viz/charts.js';
import {alertTable} from './alerts.js';

function levels(usual) {
  const chans = Object.entries(usual || {});
  const keys = [...new Set(chans.flatMap(([, v]) => Object.keys(v)))];
  return [
    barChart(chans.map(([ch, v]) => ({label: ch, value: v.attempts_mean || 0})),
      [], 'Usual attempts per hour by channel: ' + chans.map(([ch, v]) => `${ch} ${v.attempts_mean || 0}`).join(', ')),
    table('Usual hourly levels', ['Channel', ...keys], chans.map(([ch, v]) =>
      [ch, ...keys.map((k) => (typeof v[k] === 'number' ? num(Math.round(v[k] * 10) / 10) : String(v[k] ?? '')))])),
  ];
}

export async function render(main, {params}) {
  const [name] = params;
  const [host, alerts] = await Promise.all([
    api(`hosts/${seg(name)}`).catch((err) => ({error: err})),
    api('alerts', {params: {host: name, limit: 100}}),
  ]);
  main.append(h('p', {class: 'crumbs'}, 'Host'), h('h1', null, name));
  if (host.error) {
    main.append(section('Usual levels', errorBox(host.error)));
  } else {
    main.append(h('dl', {class: 'facts compact'},
      h('dt', null, 'Subscription'), h('dd', null, host.subscription || '—'),
      h('dt', null, 'IP addresses'), h('dd', null, (host.ips || []).map((x) => (typeof x === 'string' ? x : x.ip)).join(', ') || '—')),
    section('Usual hourly levels', levels(host.usual_hourly)));
  }
  main.append(section('Alerts', alertTable(alerts.alerts || [], `Alerts of ${name}`)));
}
