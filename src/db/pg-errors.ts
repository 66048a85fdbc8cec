/** Translate PostgreSQL errors once, by SQLSTATE, never by message text. */
import { QueryFailedError } from "typeorm";

function sqlState(err: unknown): string | undefined {
  if (err instanceof QueryFailedError) return (err.driverError as { code?: string } | undefined)?.code;
  return (err as { code?: string } | undefined)?.code;
}

export function constraintOf(err: unknown): string | undefined {
  if (err instanceof QueryFailedError) return (err.driverError as { constraint?: string } | undefined)?.constraint;
  return undefined;
}

export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === "23505";
export const isInvalidTextRepresentation = (err: unknown): boolean => sqlState(err) === "22P02";
/** Class 22: a value that does not fit its type (bad cast, out-of-range date, NUL in text). */
export const isDataException = (err: unknown): boolean => /^22/.test(sqlState(err) ?? "");

/**
 * Connection refused, reset, terminated, or too slow (statement_timeout 57014, lock_timeout 55P03,
 * the client's own query timeout): the database is out of reach, not the request wrong (503).
 */
export function isConnectionError(err: unknown): boolean {
  const code = sqlState(err) ?? (err as { code?: string } | undefined)?.code;
  if (code && /^(08|57P0[1-3]|57014|55P03)/.test(code)) return true;
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"].includes(code ?? "")
    || /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test((err as Error)?.message ?? "");
}
