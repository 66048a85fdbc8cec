import pino from "pino";

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  "req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]',
  "*.password", "*.token", "*.SAMLResponse", "*.clientSecret", "*.code",
];

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "roster" } });
}

/**
 * A request URL fit for the log: invitation tokens in paths are replaced, and query strings are
 * dropped on the SSO endpoints (OIDC `code` and `state`) and the setup page (its one-time token).
 */
export function loggableUrl(url: string): string {
  const [path, query] = url.split("?", 2);
  const safePath = path.replace(/(\/invitations\/)[^/?#]+/, "$1[redacted]");
  if (query === undefined) return safePath;
  if (/^\/(sso|setup)(\/|$)/.test(safePath)) return `${safePath}?[redacted]`;
  return `${safePath}?${query}`;
}
