// Triage of an alert or an incident: status, classification, assignee,
// comments and history. Offered to analysts and admins; viewers read it.

import {api, can} from '../api.js';
import {errorBox, fmtTime, h, section, toast} from '../dom.js';

export const statuses = ['new', 'active', 'resolved', 'dismissed'];
export const classifications = ['', 'true_positive', 'benign_positive', 'false_positive'];

function select(id, label, values, current) {
  return h('div', {class: 'field'}, h('label', {for: id}, label),
    h('select', {id, name: id}, values.map((v) =>
      h('option', {value: v, selected: v === (current || '')}, v ? v.replace('_', ' ') : 'not classified'))));
}

// triageForm edits status, classification and assignee through PATCH path.
export function triageForm(path, triage, onSaved) {
  if (!can('analyst')) {
    return h('dl', {class: 'facts'},
      h('dt', null, 'Status'), h('dd', {id: 'triage-status'}, triage.status || 'new'),
      h('dt', null, 'Classification'), h('dd', null, triage.classification || 'not classified'),
      h('dt', null, 'Assignee'), h('dd', null, triage.assignee || 'nobody'));
  }
  const msg = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'triage', 'aria-label': 'Triage'},
    select('status', 'Status', statuses, triage.status),
    select('classification', 'Classification', classifications, triage.classification),
    h('div', {class: 'field'}, h('label', {for: 'assignee'}, 'Assignee'),
      h('input', {id: 'assignee', name: 'assignee', value: triage.assignee || '', autocomplete: 'off'})),
    h('div', {class: 'row'}, h('button', {type: 'submit', id: 'save-triage'}, 'Save triage')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {status: form.status.value, assignee: form.assignee.value.trim()};
    if (form.classification.value) body.classification = form.classification.value;
    try {
      await api(path, {method: 'PATCH', body});
      toast('Triage saved');
      onSaved();
    } catch (err) {
      msg.replaceChildren(errorBox(err));
    }
  });
  return form;
}

export function historyList(history) {
  if (!history?.length) return h('p', {class: 'muted'}, 'No triage changes yet.');
  return h('ol', {class: 'history'}, history.map((x) => h('li', null,
    h('time', {datetime: x.at}, fmtTime(x.at)), ` ${x.actor} changed ${x.field} from “${x.old || '—'}” to “${x.new || '—'}”`)));
}

export function comments(path, list, onSaved) {
  const items = list?.length
    ? h('ol', {class: 'comments'}, list.map((c) => h('li', null,
      h('p', {class: 'meta'}, h('strong', null, c.author), ' · ', h('time', {datetime: c.at}, fmtTime(c.at))),
      h('p', null, c.text))))
    : h('p', {class: 'muted'}, 'No comments yet.');
  if (!can('analyst')) return [items];
  const text = h('textarea', {id: 'comment', name: 'comment', rows: 3, required: true});
  const msg = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'comment-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api(path, {method: 'POST', body: {text: text.value}});
      toast('Comment added');
      onSaved();
    } catch (err) {
      msg.replaceChildren(errorBox(err));
    }
  }}, h('label', {for: 'comment'}, 'Add a comment'), text,
  h('div', {class: 'row'}, h('button', {type: 'submit', id: 'add-comment'}, 'Comment')), msg);
  return [items, form];
}

export function triageSection(a, reload) {
  const base = `alerts/${encodeURIComponent(a.id)}`;
  return section('Triage',
    triageForm(base, a.triage || {}, reload),
    h('h3', null, 'History'), historyList(a.history),
    h('h3', null, 'Comments'), comments(base + '/comments', a.comments, reload));
}
