/**
 * What every CLI command shares: its type, the usage error (exit code 2), strict flag parsing and
 * the actor recorded in audit events. Kept apart from commands.ts so that feature folders
 * (scim/cli.ts, sso/cli.ts) can use it without an import cycle.
 */
import { parseArgs } from "node:util";
import type { Ctx, Deps } from "../context";
import { SYSTEM_CTX } from "../context";
import { AppError } from "../errors";
import { isUuid } from "../http/validate";

export interface CommandResult {
  json: unknown;
  text: string;
}

export type Command = (deps: Deps, args: string[]) => Promise<CommandResult>;

export class UsageError extends AppError {
  constructor(message: string) {
    super("cli.usage", 2, message);
  }
}

export const CLI_CTX: Ctx = { ...SYSTEM_CTX, actor: { type: "system", name: "roster cli" } };

type Spec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;

/** Strict flags (unknown flag → usage error); `--json` is always allowed. */
export function flags<T extends Spec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, json: { type: "boolean" } }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
}

export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === "") throw new UsageError(`missing required flag --${flag}`);
  return value;
}

export function uuidFlag(value: string | undefined, flag: string, what: string): string {
  const id = required(value, flag);
  if (!isUuid(id)) throw new UsageError(`--${flag} must be ${what} (a UUID), got "${id}"`);
  return id;
}

/** A whole-number flag: a non-number is a usage error, never a silent default. */
export function intFlag(value: string | undefined, flag: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${flag} must be a whole number from ${range.min} to ${range.max}, got "${value}"`);
  }
  return n;
}
