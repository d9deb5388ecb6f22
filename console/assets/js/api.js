// api.js: the one way pages talk to carepath — fetch with the session
// cookie, the CSRF token on unsafe methods, and one error type.

const CSRF_KEY = 'carepath.csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** ApiError is every failed call: status 0 when the server was not reached. */
export class ApiError extends Error {
  constructor(status, code, message, field, requestId) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.field = field || '';
    this.requestId = requestId || '';
  }
}

let unauthorized = null;

/** onUnauthorized sets what a 401 does (app.js sends the browser to sign-in). */
export function onUnauthorized(fn) { unauthorized = fn; }

/** setCsrfToken keeps the session's CSRF token for this tab only. */
export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

async function call(method, path, body, opts, accept) {
  const headers = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method)) headers['X-CSRF-Token'] = sessionStorage.getItem(CSRF_KEY) || '';
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'carepath could not be reached. Check the connection and try again.');
  }
  if (res.ok) return res;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON: a proxy's page */ }
  const e = (data && data.error) || {};
  if (res.status === 401 && !(opts && opts.noRedirect) && unauthorized) unauthorized();
  throw new ApiError(res.status, e.code, e.message || res.statusText || 'request failed', e.field, data && data.request_id);
}

/**
 * api calls a JSON endpoint and returns the parsed body (null for 204).
 * opts.noRedirect keeps a 401 from leaving the page (sign-in itself).
 */
export async function api(method, path, body, opts) {
  const res = await call(method, path, body, opts, 'application/json');
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** apiText calls an endpoint that answers text (CSV exports). */
export async function apiText(method, path, opts) {
  const res = await call(method, path, undefined, opts, 'text/csv, text/plain;q=0.9, */*;q=0.1');
  return res.text();
}

/** query builds "?a=1&b=2" from the non-empty values of an object. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
