// The console's shell: sign-in state, navigation and a hash router. Each page
// module exports render(main, ctx) and may return a cleanup function.

import {api, can, session} from './api.js';
import {errorBox, h} from './dom.js';

const routes = [
  {re: /^signin$/, page: 'signin', title: 'Sign in', open: true},
  {re: /^(?:alerts)?$/, page: 'alerts', title: 'Alerts'},
  {re: /^alerts\/([^/]+)$/, page: 'alert', title: 'Alert'},
  {re: /^incidents$/, page: 'incidents', title: 'Incidents'},
  {re: /^incidents\/([^/]+)$/, page: 'incident', title: 'Incident'},
  {re: /^principals\/([^/]+)\/([^/]+)$/, page: 'principal', title: 'Principal'},
  {re: /^hosts\/([^/]+)$/, page: 'host', title: 'Host'},
  {re: /^settings$/, page: 'settings', title: 'Settings'},
  {re: /^rules$/, page: 'rules', title: 'Suppression rules'},
];

const nav = [
  ['alerts', 'Alerts'], ['incidents', 'Incidents'], ['settings', 'Settings'], ['rules', 'Suppression rules'],
];

let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  return {path, query: new URLSearchParams(qs || '')};
}

function renderNav(active) {
  const el = document.getElementById('nav');
  if (!session.me) {
    el.replaceChildren();
    document.getElementById('who').replaceChildren();
    return;
  }
  el.replaceChildren(h('ul', null, nav.map(([p, label]) =>
    h('li', null, h('a', {href: '#/' + p, 'aria-current': active === p ? 'page' : null}, label)))));
  document.getElementById('who').replaceChildren(
    h('span', {class: 'who', 'data-role': session.me.role}, `${session.me.name} · ${session.me.role}`),
    h('button', {type: 'button', class: 'link', onclick: signOut}, 'Sign out'));
}

function signOut() {
  session.token = null;
  session.me = null;
  location.hash = '#/signin';
}

// restoreSession asks the API who the stored token belongs to.
async function restoreSession() {
  if (session.me || session.token === null) return;
  try {
    session.me = await api('me');
  } catch {
    session.token = null;
  }
}

async function show() {
  const {path, query} = parseHash();
  const route = routes.find((r) => r.re.test(path)) || routes[1];
  await restoreSession();
  if (!route.open && !session.me) {
    location.replace('#/signin?next=' + encodeURIComponent(location.hash.slice(1)));
    return;
  }
  const params = path.match(route.re).slice(1).map(decodeURIComponent);
  const main = document.getElementById('main');
  const focusID = document.activeElement && document.activeElement.id;
  if (cleanup) cleanup();
  cleanup = null;
  renderNav(route.page.replace(/^(alert|incident)$/, '$1s'));
  document.title = `${route.title} · Vedette`;
  main.setAttribute('aria-busy', 'true');
  try {
    const mod = await import(`./pages/${route.page}.js`);
    const view = h('div', {class: 'page', 'data-page': route.page});
    main.replaceChildren(view);
    cleanup = (await mod.render(view, {params, query, can, show})) || null;
  } catch (err) {
    main.replaceChildren(h('h1', null, route.title), errorBox(err));
  } finally {
    main.removeAttribute('aria-busy');
  }
  const again = focusID && document.getElementById(focusID);
  if (again) again.focus();
  else if (!route.open) main.focus({preventScroll: true});
}

// The skip link focuses the page instead of changing the route.
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', show);
show();
