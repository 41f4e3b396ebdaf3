// The HTTP API client: every call goes to /api/v1 with the signed-in token.

const KEY = 'vedette.token';

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set token(t) {
    if (t === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, t);
  },
  me: null, // {name, role} once signed in
};

const ranks = {viewer: 1, analyst: 2, admin: 3};

// can reports whether the signed-in role is at least role.
export function can(role) {
  return !!session.me && (ranks[session.me.role] || 0) >= ranks[role];
}

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// query turns {k: v | [v...]} into a query string; empty values are left out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const x of [v].flat()) if (x !== undefined && x !== null && x !== '') q.append(k, x);
  }
  const str = q.toString();
  return str ? '?' + str : '';
}

// api calls the HTTP API and returns the decoded JSON, or throws APIError.
export async function api(path, {method = 'GET', body, params} = {}) {
  const headers = {Accept: 'application/json'};
  if (session.token) headers.Authorization = 'Bearer ' + session.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch('api/v1/' + path + query(params), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && session.me && path !== 'me') {
    // The token stopped working (revoked, or the server's tokens changed).
    session.token = null;
    session.me = null;
    location.hash = '#/signin';
  }
  if (!res.ok) {
    let msg = res.statusText;
    try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
    throw new APIError(res.status, `${res.status}: ${msg}`);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

// seg escapes one path segment.
export const seg = (s) => encodeURIComponent(s);

let spec = null;

// hasRoute reports whether the API's OpenAPI document lists a path, so the
// console uses optional endpoints without provoking 404s.
export async function hasRoute(path) {
  spec ||= api('openapi.json').catch(() => ({paths: {}}));
  const doc = await spec;
  return Object.keys(doc.paths || {}).some((p) => p === path || p === '/api/v1' + path);
}
