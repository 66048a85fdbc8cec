import pino from "pino";

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  "req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]',
  "*.password", "*.token", "*.SAMLResponse", "*.clientSecret", "*.code",
];

export type Logger = pino.Logger;

/** JSON lines on stdout (or on `destination`: tests read what an operator would). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "roster" } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * A request URL fit for the log: link tokens in paths (invitations, joins, SSO-link
 * confirmations) are replaced, and query strings are
 * dropped on the SSO endpoints (OIDC `code` and `state`) and the setup page (its one-time token).
 */
export function loggableUrl(url: string): string {
  const [path, query] = url.split("?", 2);
  const safePath = path.replace(/(\/(?:invitations|joins?|sso-links?)\/)[^/?#]+/, "$1[redacted]");
  if (query === undefined) return safePath;
  if (/^\/(sso|setup)(\/|$)/.test(safePath)) return `${safePath}?[redacted]`;
  return `${safePath}?${query}`;
}
