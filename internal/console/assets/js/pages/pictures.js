// The picture of an alert where one beats words: a travel map, a country
// map, or a host's hourly attempts against its usual level.

import {api, hasRoute, seg} from '../api.js';
import {errorBox, fmtTime, h, num, route, section, table} from '../dom.js';
import {barChart} from '../viz/charts.js';
import {countryMap, placeOf, travelMap} from '../viz/map.js';

const networkRe = /^(rdp|ssh)-(incoming|outgoing)-/;

// picture returns a section for the alert, or null when words are enough.
export async function picture(a) {
  try {
    if (a.detection === 'impossible-travel') return await travel(a);
    if (a.detection === 'infrequent-country') return await country(a);
    if (networkRe.test(a.detection)) return await network(a);
  } catch (err) {
    return section('Picture', errorBox(err));
  }
  return null;
}

async function travel(a) {
  const ips = a.entities.filter((e) => e.type === 'ip');
  const prev = placeOf(ips.find((e) => e.role === 'previous'), a.evidence);
  const curr = placeOf(ips.find((e) => e.role === 'current'), a.evidence);
  if (!prev || !curr) return section('Travel', h('p', null, 'The alert carries no coordinates for both places.'));
  return section('Travel', await travelMap(prev, curr));
}

// orgCountries asks for the organisation's countries of the window; an API
// without that summary falls back to the principal's own countries.
async function orgCountries(a) {
  if (await hasRoute('/tenants/{tenant}/countries')) {
    const org = await api(`tenants/${seg(a.tenant)}/countries`);
    return {list: org.countries.map((c) => c.country), label: "organisation's countries, last 30 days"};
  }
  const p = await api(`principals/${seg(a.tenant)}/${seg(a.principal)}`);
  return {list: (p.countries || []).map((c) => c.country), label: "the user's countries, last 30 days"};
}

async function country(a) {
  const loc = a.entities.find((e) => e.type === 'location') || a.entities.find((e) => e.type === 'ip' && e.location);
  const code = loc?.location?.country || loc?.id;
  const usual = await orgCountries(a);
  const others = usual.list.filter((c) => c !== code);
  const point = loc?.location?.has_coord ? loc.location : null;
  return section('Country', await countryMap(code, others, usual.label, point));
}

// levelOf reads what an alert's rule counted in its hour, from its
// threshold factor ("N vs threshold T"): distinct peers for the
// many-to-one and one-to-many rules, connection attempts for the others
// (then the sum of its peers' attempts when the factor is missing).
export function levelOf(a) {
  const f = (a.factors || []).find((x) => x.name === 'above_threshold');
  const m = f && /^(\d+) vs threshold (\d+)/.exec(f.detail || '');
  if (m) return {value: +m[1], threshold: +m[2]};
  const sum = (a.evidence || []).reduce((n, e) => n + (+(/attempts=(\d+)/.exec(e.result) || [0, 0])[1]), 0);
  return {value: sum, threshold: 0};
}

function channelOf(usual, detection) {
  const [, svc, dir] = networkRe.exec(detection);
  const keys = Object.keys(usual || {});
  const want = dir === 'incoming' ? /in/ : /out/;
  return keys.find((k) => k.toLowerCase().includes(svc) && want.test(k.toLowerCase())) || keys.find((k) => k.includes(svc));
}

async function network(a) {
  const hostName = a.entities.find((e) => e.type === 'host')?.id || a.principal;
  const many = /-(many-to-one|one-to-many)$/.test(a.detection);
  const what = many ? 'distinct peers' : 'connection attempts';
  const t = new Date(a.time).getTime();
  const [host, around] = await Promise.all([
    api(`hosts/${seg(hostName)}`).catch((err) => ({error: err})),
    api('alerts', {params: {host: hostName, detection: a.detection, sort: 'time', limit: 200,
      since: new Date(t - 72 * 3600e3).toISOString(), until: new Date(t + 72 * 3600e3).toISOString()}}),
  ]);
  const mine = levelOf(a);
  const bars = (around.alerts || []).map((x) => ({label: fmtTime(x.time).slice(5, 13) + 'h', value: levelOf(x).value,
    class: x.id === a.id ? 'current' : '', title: `${fmtTime(x.time)}: ${levelOf(x).value} ${what}`}));
  const ch = host.error ? null : channelOf(host.usual_hourly, a.detection);
  const usual = ch ? host.usual_hourly[ch] : null;
  const lines = [];
  if (many && usual?.peers_mean !== undefined) lines.push({value: usual.peers_mean, label: 'usual', class: 'usual'});
  if (!many && usual?.attempts_mean !== undefined) lines.push({value: usual.attempts_mean, label: 'usual', class: 'usual'});
  if (!many && usual?.attempts_max !== undefined) lines.push({value: usual.attempts_max, label: 'usual max', class: 'usual-max'});
  if (mine.threshold) lines.push({value: mine.threshold, label: 'threshold', class: 'threshold'});
  const peers = a.evidence.map((e) => [e.ip, (/attempts=([\d-]+)/.exec(e.result) || [])[1] || e.result,
    a.entities.find((x) => x.type === 'ip' && x.id === e.ip)?.role || '', `${e.source}:${e.record}`]);
  return section('Host activity',
    h('p', null, `Hourly ${what} of `, h('a', {href: route('hosts', hostName)}, hostName),
      ` in its alerting hours around this one (this hour: ${num(mine.value)})`,
      usual ? `, against its usual level on ${ch} (learned over ${num(host.hours)} hours).` : host.error ? ` (usual level unavailable: ${host.error.message}).` : '.'),
    barChart(bars, lines, `Hourly ${what} of ${hostName}: ` + bars.map((b) => b.title).join('; ')),
    h('h3', null, 'Top peers'),
    table('Top peers', ['Peer', 'Attempts', 'Role', 'Source'], peers, {class: 'peers'}));
}
