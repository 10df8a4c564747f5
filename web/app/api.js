// The API client. The browser authenticates with the HttpOnly cookie set
// by POST /api/login; state-changing requests add the header the server
// requires of cookie-authenticated writes.

export class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

const listeners = { unauthorized: [] };
export function onUnauthorized(fn) { listeners.unauthorized.push(fn); }

export async function api(path, { method = 'GET', body, raw = false, signal } = {}) {
  const headers = { 'X-Lookout-Request': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const resp = await fetch(path, {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!resp.ok) {
    let msg = `${resp.status} ${resp.statusText}`;
    try { const j = await resp.json(); if (j.error) msg = j.error; } catch { /* not JSON */ }
    if (resp.status === 401) listeners.unauthorized.forEach((f) => f(msg));
    throw new APIError(resp.status, msg);
  }
  if (raw) return resp;
  if (resp.status === 204) return null;
  return resp.json();
}

export async function login(token) {
  return api('/api/login', { method: 'POST', body: { token } });
}
