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
