// Where to go after signing in. The value is resolved the way the browser will resolve it (the URL
// parser drops tabs and newlines, so "/\t/evil.example" is "//evil.example"), and only a page of
// this origin is kept: its path, query and fragment, never a scheme or host.
export function safeReturnTo(value, origin, fallback = "/app") {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 2048) return fallback;
  try {
    const url = new URL(value, origin);
    if (url.origin !== origin) return fallback;
    const path = url.pathname + url.search + url.hash;
    // The result is used as a URL again: it must not start with "//" or "/\" either.
    return /^\/(?![/\\])/.test(path) ? path : fallback;
  } catch {
    return fallback;
  }
}
