/**
 * Where a browser may be sent after sign-in: only a path on our own origin (no open redirect).
 * Anything else (absolute URLs, `//host`, `/\host`, control characters) falls back to "/".
 */
export const DEFAULT_RETURN_TO = "/";

export function safeReturnTo(baseUrl: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return DEFAULT_RETURN_TO;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return DEFAULT_RETURN_TO;
  if (/[\u0000-\u001f\u007f]/.test(value)) return DEFAULT_RETURN_TO;
  try {
    const base = new URL(baseUrl);
    const url = new URL(value, base);
    if (url.origin !== base.origin) return DEFAULT_RETURN_TO;
    return url.pathname + url.search + url.hash;
  } catch {
    return DEFAULT_RETURN_TO;
  }
}
