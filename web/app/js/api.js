// The console's only way to the server: the /v1 API with the signed-in user's bearer token.
// Every failure becomes an ApiError carrying the server's JSON error (status, code, message,
// field) or, when the server was not reached, `network` = true.
const TOKEN_KEY = 'closeloop.token';

export class ApiError extends Error {
  constructor(status, body, network = false) {
    const e = (body && body.error) || {};
    super(e.message || (network ? 'network error' : `HTTP ${status}`));
    this.status = status;
    this.code = e.code || (network ? 'network' : 'error');
    this.field = e.field || '';
    this.currentVersion = e.current_version;
    this.network = network;
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

async function request(method, path, body, tokenOverride) {
  const headers = { Accept: 'application/json' };
  const tok = tokenOverride ?? token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, null, true);
  }
  let json = null;
  try {
    json = await res.json();
  } catch (e) {
    json = null;
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path, tok) => request('GET', path, undefined, tok);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

// GET as a downloadable file (the evidence bundle): the bytes and the server's file name.
export async function download(path) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${token()}` }, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, null, true);
  }
  if (!res.ok) {
    let json = null;
    try {
      json = await res.json();
    } catch (e) {
      json = null;
    }
    throw new ApiError(res.status, json);
  }
  const disposition = res.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(disposition);
  return { blob: await res.blob(), name: m ? m[1] : 'evidence.json' };
}

// A query string from the non-empty entries of `params`.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
