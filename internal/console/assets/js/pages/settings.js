// Settings: detection switches and thresholds per tenant and subscription,
// layered over the configuration file; each value says where it comes from.

import {api, can, seg} from '../api.js';
import {errorBox, h, section, toast} from '../dom.js';

function paramInput(id, value, disabled) {
  if (typeof value === 'boolean') return h('input', {id, type: 'checkbox', checked: value, disabled, 'data-kind': 'bool'});
  if (typeof value === 'number') return h('input', {id, type: 'number', step: 'any', value, disabled, 'data-kind': 'number', class: 'narrow'});
  return h('input', {id, type: 'text', value: value ?? '', disabled, 'data-kind': 'text', class: 'narrow'});
}

function readParam(input) {
  if (input.dataset.kind === 'bool') return input.checked;
  if (input.dataset.kind === 'number') return Number(input.value);
  return input.value;
}

function sourceBadge(src) {
  return src ? h('span', {class: `badge src-${src}`}, src) : null;
}

async function put(tenant, sub, det, body) {
  await api(`settings/${seg(tenant)}/${seg(sub || '*')}/${seg(det)}`, {method: 'PUT', body});
}

// row renders one effective setting with its switch, thresholds and sources.
function row(st, names, reload) {
  const admin = can('admin');
  const key = `${st.tenant}|${st.subscription}|${st.detection}`.replace(/[^a-zA-Z0-9]+/g, '-');
  const enabled = h('input', {type: 'checkbox', id: `en-${key}`, checked: st.enabled, disabled: !admin});
  const params = Object.entries(st.params || {}).map(([k, v]) => {
    const input = paramInput(`p-${key}-${k}`, v, !admin);
    input.dataset.param = k;
    return h('div', {class: 'param'}, h('label', {for: input.id}, k), input, sourceBadge(st.source?.[k]));
  });
  const save = async () => {
    const body = {enabled: enabled.checked, params: {}};
    for (const input of tr.querySelectorAll('[data-param]')) {
      if (st.source?.[input.dataset.param] === 'api' || readParam(input) !== st.params[input.dataset.param]) {
        body.params[input.dataset.param] = readParam(input);
      }
    }
    await put(st.tenant, st.subscription, st.detection, body);
    toast(`Saved ${st.detection} for ${st.tenant} / ${st.subscription || '*'}`);
    reload();
  };
  const hasAPI = Object.values(st.source || {}).includes('api');
  const tr = h('tr', {'data-setting': `${st.tenant}/${st.subscription || '*'}/${st.detection}`},
    h('td', null, st.tenant || '*'), h('td', null, st.subscription || '*'),
    h('td', null, names[st.detection] || st.detection, h('br'), h('code', {class: 'small'}, st.detection)),
    h('td', null, h('label', {for: enabled.id, class: 'sr-only'}, `Enabled: ${st.detection}`), enabled, ' ', sourceBadge(st.source?.enabled)),
    h('td', null, params),
    h('td', null, admin ? [h('button', {type: 'button', onclick: () => save().catch(showErr)}, 'Save'),
      hasAPI ? h('button', {type: 'button', class: 'secondary', onclick: () => remove(st, reload).catch(showErr)}, 'Reset') : null] : null));
  return tr;
}

let showErr = () => {};

async function remove(st, reload) {
  await api(`settings/${seg(st.tenant)}/${seg(st.subscription || '*')}/${seg(st.detection)}`, {method: 'DELETE'});
  toast(`Removed the override of ${st.detection}`);
  reload();
}

// overrideForm adds a setting for a tenant or subscription; the ones the
// settings and the newest alerts name are offered as suggestions.
function overrideForm(detections, rows, recent, reload) {
  const known = (key) => [...new Set([...rows, ...recent].map((r) => r[key]).filter((v) => v && v !== '*'))];
  const tenants = known('tenant');
  const subs = known('subscription');
  const params = h('div', {class: 'params'});
  const det = h('select', {id: 'ov-detection', name: 'detection', required: true}, detections.map((d) => h('option', {value: d.id}, d.name)));
  const showParams = () => {
    const d = detections.find((x) => x.id === det.value);
    // Network detections are set per subscription, for every tenant.
    const tenant = form?.querySelector('#ov-tenant');
    if (tenant) {
      tenant.readOnly = d?.kind === 'network';
      if (d?.kind === 'network') tenant.value = '*';
      else if (tenant.value === '*') tenant.value = tenants[0] || '';
    }
    params.replaceChildren(...Object.entries(d?.params || {}).map(([k, v]) => {
      const input = paramInput(`ov-p-${k}`, v, false);
      input.dataset.param = k;
      input.dataset.default = JSON.stringify(v);
      return h('div', {class: 'param'}, h('label', {for: input.id}, k), input);
    }));
  };
  det.addEventListener('change', showParams);
  let form;
  showParams();
  const msg = h('div', {'aria-live': 'polite'});
  form = h('form', {class: 'card override', id: 'override-form', 'aria-label': 'Override a detection'},
    h('h2', null, 'Override a detection for a tenant or subscription'),
    h('datalist', {id: 'tenants'}, tenants.map((t) => h('option', {value: t}))),
    h('datalist', {id: 'subs'}, subs.map((t) => h('option', {value: t}))),
    h('div', {class: 'field'}, h('label', {for: 'ov-tenant'}, 'Tenant'), h('input', {id: 'ov-tenant', list: 'tenants', required: true, value: tenants[0] || ''})),
    h('div', {class: 'field'}, h('label', {for: 'ov-subscription'}, 'Subscription (* for the whole tenant)'), h('input', {id: 'ov-subscription', list: 'subs', required: true, value: '*'})),
    h('div', {class: 'field'}, h('label', {for: 'ov-detection'}, 'Detection'), det),
    h('div', {class: 'field'}, h('label', null, h('input', {type: 'checkbox', id: 'ov-enabled', checked: true}), ' Enabled')),
    params,
    h('div', {class: 'row'}, h('button', {type: 'submit', id: 'ov-save'}, 'Save override')), msg);
  showParams(); // again, now that the tenant field exists
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {enabled: form.querySelector('#ov-enabled').checked, params: {}};
    for (const input of params.querySelectorAll('[data-param]')) {
      const v = readParam(input);
      if (JSON.stringify(v) !== input.dataset.default) body.params[input.dataset.param] = v;
    }
    try {
      await put(form.querySelector('#ov-tenant').value.trim(), form.querySelector('#ov-subscription').value.trim(), det.value, body);
      toast('Override saved');
      reload();
    } catch (err) {
      msg.replaceChildren(errorBox(err));
    }
  });
  return form;
}

export async function render(main) {
  const msg = h('div', {'aria-live': 'polite'});
  showErr = (err) => msg.replaceChildren(errorBox(err));
  const reload = async () => {
    const [detections, res, recent] = await Promise.all([api('detections'), api('settings'),
      can('admin') ? api('alerts', {params: {limit: 500}}) : {alerts: []}]);
    const names = Object.fromEntries(detections.map((d) => [d.id, d.name]));
    const rows = res.settings || [];
    const filter = h('input', {id: 'settings-filter', type: 'search', placeholder: 'tenant, subscription or detection'});
    const body = h('tbody', null, rows.map((st) => row(st, names, reload)));
    filter.addEventListener('input', () => {
      const q = filter.value.toLowerCase();
      for (const tr of body.rows) tr.hidden = q && !tr.dataset.setting.toLowerCase().includes(q);
    });
    main.replaceChildren(h('h1', null, 'Settings'), msg,
      can('admin') ? overrideForm(detections, rows, recent.alerts || [], reload) : h('p', {class: 'hint'}, 'Only administrators change settings.'),
      section('Effective detection settings',
        h('div', {class: 'field'}, h('label', {for: 'settings-filter'}, 'Filter'), filter),
        h('div', {class: 'table-wrap'}, h('table', {class: 'settings'},
          h('caption', {class: 'sr-only'}, 'Effective detection settings'),
          h('thead', null, h('tr', null, ['Tenant', 'Subscription', 'Detection', 'Enabled', 'Thresholds', ''].map((c) => h('th', {scope: 'col'}, c)))),
          body))));
  };
  await reload();
}
