/**
 * Audit events as CSV (RFC 4180: every cell quoted, quotes doubled, CRLF rows). Cells a
 * spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return that
 * some of them strip first) get a leading apostrophe: an attacker controls names, emails and
 * reasons that end up here (OWASP "CSV Injection").
 */
import type { AuditEvent } from "../../entities";

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const csvRow = (cells: unknown[]): string => `${cells.map(csvCell).join(",")}\r\n`;

export const AUDIT_CSV_HEADER = csvRow([
  "time", "action", "actor_type", "actor_name", "actor_email", "actor_id",
  "target_type", "target_name", "target_email", "target_id", "details", "ip", "request_id",
]);

export function auditCsvRow(e: AuditEvent): string {
  const a = e.actor ?? { type: "" };
  const t = e.target;
  const details = e.metadata && Object.keys(e.metadata).length ? e.metadata : null;
  return csvRow([
    e.createdAt.toISOString(), e.action, a.type, a.name, a.email, a.id,
    t?.type, t?.name, t?.email, t?.id, details, e.ip, e.requestId,
  ]);
}
