// The one way the pages talk to the JSON API: same-origin fetch, the X-CSRF-Token header on
// writes, and every {error} body turned into an ApiError the page can show next to a field.

let csrfToken;

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `The server answered ${status}.`);
    this.status = status;
    this.code = e.code || "unknown";
    this.fields = Array.isArray(e.fields) ? e.fields : [];
    if (typeof e.field === "string") this.fields.push({ field: e.field, message: this.message });
    this.requestId = e.requestId;
    this.ssoLoginUrl = typeof e.ssoLoginUrl === "string" ? e.ssoLoginUrl : undefined;
    /** The whole error object (code, message and any details such as `org`), for pages that need more. */
    this.details = e;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || undefined;
}

async function currentCsrf() {
  if (csrfToken === undefined) {
    const r = await fetch("/api/auth/csrf", { credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await r.json();
    csrfToken = body.csrfToken || null;
  }
  return csrfToken;
}

async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const token = await currentCsrf();
    if (token) headers["X-CSRF-Token"] = token;
  }
  try {
    return await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: { code: "network", message: "Could not reach the server. Check your connection and try again." } });
  }
}

export async function api(method, path, body) {
  let res = await send(method, path, body);
  if (res.status === 403 && method !== "GET") {
    const peek = await res.clone().json().catch(() => null);
    if (peek && peek.error && peek.error.code === "csrf.missing_token") {
      csrfToken = undefined; // the session changed in another tab: fetch the token again, once
      res = await send(method, path, body);
    }
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  if (data && typeof data.csrfToken === "string") setCsrfToken(data.csrfToken);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body = {}) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);

/** Sends the browser to sign-in when the session is gone; true when it did. */
export function redirectIfSignedOut(err) {
  if (err instanceof ApiError && err.status === 401) {
    location.assign(`/login?returnTo=${encodeURIComponent(location.pathname + location.search)}`);
    return true;
  }
  return false;
}
