// Suppression rules: matching alerts are still stored, dismissed. A rule is
// simulated against past alerts before it can be saved.

import {api, can} from '../api.js';
import {errorBox, fmtTime, h, num, section, table, toast} from '../dom.js';
import {alertTable} from './alerts.js';

const matchFields = [
  ['detection', 'Detection'], ['principal', 'Principal'], ['ip', 'IP or CIDR'], ['country', 'Country (ISO code)'],
  ['app', 'App'], ['tenant', 'Tenant'], ['subscription', 'Subscription'], ['host', 'Host'],
];

function ruleFromForm(form) {
  const match = {};
  for (const [k] of matchFields) {
    const v = form.elements['m-' + k].value.trim();
    if (v) match[k] = v;
  }
  const rule = {name: form.elements.name.value.trim(), reason: form.elements.reason.value.trim(), match};
  if (form.elements.expires.value) rule.expires_at = new Date(form.elements.expires.value + 'Z').toISOString();
  return rule;
}

function ruleForm(detections, reload) {
  const result = h('div', {id: 'simulation', 'aria-live': 'polite'});
  const save = h('button', {type: 'submit', id: 'rule-save', disabled: true}, 'Save rule');
  let simulated = '';
  const form = h('form', {class: 'card rule-form', 'aria-label': 'New suppression rule'},
    h('h2', null, 'New rule'),
    h('div', {class: 'field'}, h('label', {for: 'name'}, 'Name'), h('input', {id: 'name', name: 'name', required: true})),
    h('div', {class: 'field'}, h('label', {for: 'reason'}, 'Reason'), h('input', {id: 'reason', name: 'reason', required: true})),
    h('div', {class: 'field'}, h('label', {for: 'expires'}, 'Expires (UTC, optional)'), h('input', {id: 'expires', name: 'expires', type: 'datetime-local'})),
    h('fieldset', null, h('legend', null, 'Match (empty fields match anything; set at least one)'),
      h('datalist', {id: 'detections'}, detections.map((d) => h('option', {value: d.id}, d.name))),
      matchFields.map(([k, label]) => h('div', {class: 'field'}, h('label', {for: 'm-' + k}, label),
        h('input', {id: 'm-' + k, name: 'm-' + k, list: k === 'detection' ? 'detections' : null})))),
    h('div', {class: 'row'}, h('button', {type: 'button', id: 'rule-simulate', class: 'secondary'}, 'Simulate'), save,
      h('span', {class: 'hint'}, 'Simulate first: saving is offered for the rule as simulated.')),
    result);
  form.addEventListener('input', () => { save.disabled = true; });
  form.querySelector('#rule-simulate').addEventListener('click', async () => {
    const rule = ruleFromForm(form);
    try {
      const res = await api('rules/simulate', {method: 'POST', body: rule});
      simulated = JSON.stringify(rule);
      save.disabled = false;
      result.replaceChildren(h('p', {id: 'simulate-count'}, h('strong', null, num(res.count)),
        ' past alerts would have been suppressed by this rule.'), alertTable((res.alerts || []).slice(0, 20), 'Alerts the rule matches'));
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const rule = ruleFromForm(form);
    if (JSON.stringify(rule) !== simulated) {
      save.disabled = true;
      return;
    }
    try {
      await api('rules', {method: 'POST', body: rule});
      toast('Rule saved');
      reload();
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  return form;
}

function ruleRows(rules, reload) {
  return rules.map((r) => [
    h('strong', null, r.name), r.reason,
    Object.entries(r.match || {}).filter(([, v]) => v).map(([k, v]) => h('span', {class: 'chip'}, `${k}=${v}`)),
    r.expires_at ? fmtTime(r.expires_at) : 'never',
    `${r.created_by || ''} ${fmtTime(r.created_at)}`,
    can('admin') ? h('button', {type: 'button', class: 'secondary', 'aria-label': `Delete rule ${r.name}`, onclick: async () => {
      try {
        await api(`rules/${encodeURIComponent(r.id)}`, {method: 'DELETE'});
        toast('Rule deleted');
        reload();
      } catch (err) {
        toast(`Not deleted: ${err.message}`);
      }
    }}, 'Delete') : '',
  ]);
}

export async function render(main) {
  const reload = async () => {
    const [rules, detections] = await Promise.all([api('rules'), api('detections')]);
    const list = Array.isArray(rules) ? rules : rules.rules || [];
    main.replaceChildren(h('h1', null, 'Suppression rules'),
      can('admin') ? ruleForm(detections, reload) : h('p', {class: 'hint'}, 'Only administrators create rules.'),
      section('Rules', list.length
        ? table('Suppression rules', ['Name', 'Reason', 'Match', 'Expires', 'Created', ''], ruleRows(list, reload), {class: 'rules'})
        : h('p', {class: 'empty'}, 'No suppression rules.')));
  };
  await reload();
}
