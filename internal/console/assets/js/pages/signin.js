// Sign-in: an API token (stored for this browser tab only), or none when the
// API has no tokens configured (loopback only, everyone is admin).

import {api, session} from '../api.js';
import {errorBox, h} from '../dom.js';

export function render(main, {query}) {
  const next = query.get('next') || '/alerts';
  const msg = h('div', {'aria-live': 'polite'});
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true});
  async function signIn(token) {
    session.token = token;
    try {
      session.me = await api('me');
      location.hash = '#' + next;
    } catch (err) {
      session.token = null;
      session.me = null;
      msg.replaceChildren(errorBox(err.status === 401 ? 'That token is not valid.' : err));
    }
  }
  main.append(
    h('h1', null, 'Sign in to Vedette'),
    h('form', {class: 'card signin', onsubmit: (e) => { e.preventDefault(); signIn(input.value.trim()); }},
      h('label', {for: 'token'}, 'API token'),
      input,
      h('p', {class: 'hint'}, 'Your role (viewer, analyst or admin) decides what the console offers. ',
        'The token is kept in this tab only. ', h('code', null, 'vedette token'), ' makes one; ',
        h('code', null, 'vedette demo'), ' prints one per role.'),
      h('div', {class: 'row'},
        h('button', {type: 'submit', id: 'signin'}, 'Sign in'),
        h('button', {type: 'button', class: 'secondary', onclick: () => signIn('')},
          'Continue without a token')),
      msg));
  input.focus();
}
