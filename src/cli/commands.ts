/**
 * The CLI's commands as functions of (deps, argv) → result, so the same code runs in the CLI
 * process or, when the server owns the embedded database, inside the server (control-socket.ts).
 * Scripts depend on these names, flags and JSON shapes: change them only compatibly.
 */
import { z } from "zod";
import { EmailMessage, PLANS } from "../../entities";
import { parse } from "../http/validate";
import { CLI_CTX, flags, intFlag, required, uuidFlag, UsageError, type Command } from "./flags";

export { UsageError, type Command, type CommandResult } from "./flags";
import { AppError, ValidationError } from "../errors";
import { createOrgWithOwner } from "../orgs/org.service";
import { createScimToken, listScimTokens, revokeScimToken } from "../scim-tokens/scim-token.service";
import { MIN_PASSWORD_LENGTH } from "../auth/passwords";
import { ConfigError } from "../config";
import { SCIM_COMMANDS } from "../../scim/cli";
import { SSO_COMMANDS } from "../../sso/cli";
import { DIRECTORY_COMMANDS } from "../../directory/cli";
import { USER_COMMANDS } from "./user-commands";
import { EmbeddedDatabaseBusyError } from "../db/embedded";

function orgIdFlag(v: string | undefined): string {
  return uuidFlag(v, "org", "an organization id");
}

const orgCreate: Command = async (deps, args) => {
  const f = flags(args, { name: { type: "string" }, plan: { type: "string" }, "owner-email": { type: "string" },
    "owner-password": { type: "string" }, "owner-name": { type: "string" } });
  const input = parse(z.object({
    name: z.string().trim().min(1).max(200),
    plan: z.enum(PLANS),
    ownerEmail: z.email(),
    ownerPassword: z.string().min(MIN_PASSWORD_LENGTH).optional(),
    ownerName: z.string().max(200).optional(),
  }), { name: required(f.name, "name"), plan: required(f.plan, "plan"), ownerEmail: required(f["owner-email"], "owner-email"),
    ownerPassword: f["owner-password"], ownerName: f["owner-name"] });
  const r = await createOrgWithOwner(deps, CLI_CTX, input);
  const json = { org: { id: r.org.id, name: r.org.name, plan: r.org.plan }, owner: r.owner };
  const hint = r.ownerAccountCreated && !input.ownerPassword
    ? `\nThe owner has no password yet: set one with: roster user set-password --email ${r.owner.email} --password '<at least ${MIN_PASSWORD_LENGTH} characters>'` : "";
  return { json, text: `Created organization ${r.org.name} (${r.org.id}, ${r.org.plan}) with owner ${r.owner.email}.${hint}` };
};

const scimTokenCreate: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" }, name: { type: "string" } });
  const name = (f.name ?? "SCIM token").slice(0, 100);
  const { token, view } = await createScimToken(deps, CLI_CTX, orgIdFlag(f.org), name);
  return { json: { id: view.id, token }, text: `SCIM token ${view.id} (shown only now):\n${token}` };
};

const scimTokenList: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" } });
  const tokens = await listScimTokens(deps, orgIdFlag(f.org));
  const text = tokens.map((t) => `${t.id}  ${t.prefix}…  ${t.name}  created ${t.createdAt.toISOString()}  last used ${t.lastUsedAt?.toISOString() ?? "never"}${t.revokedAt ? "  REVOKED" : ""}`).join("\n");
  return { json: { tokens }, text: text || "No SCIM tokens." };
};

const scimTokenRevoke: Command = async (deps, args) => {
  const f = flags(args, { id: { type: "string" } });
  const view = await revokeScimToken(deps, CLI_CTX, uuidFlag(f.id, "id", "a token id"));
  return { json: { id: view.id, revokedAt: view.revokedAt }, text: `Revoked SCIM token ${view.id}.` };
};

const mailList: Command = async (deps, args) => {
  const f = flags(args, { to: { type: "string" }, limit: { type: "string" } });
  const limit = intFlag(f.limit, "limit", { min: 1, max: 1000 }) ?? 50;
  const qb = deps.ds.getRepository(EmailMessage).createQueryBuilder("m").orderBy("m.createdAt", "DESC").take(limit);
  if (f.to) qb.where("lower(m.to) = lower(:to)", { to: f.to });
  const rows = await qb.getMany();
  const messages = rows.map((m) => ({ id: m.id, to: m.to, subject: m.subject, status: m.status, attempts: m.attempts,
    createdAt: m.createdAt, sentAt: m.sentAt, lastError: m.lastError, attemptErrors: m.attemptErrors,
    cancelledAt: m.cancelledAt, cancelReason: m.cancelReason, text: m.text }));
  const text = messages.map((m) => `${m.createdAt.toISOString()}  ${m.status.padEnd(9)}  ${m.to}  ${m.subject}${m.cancelReason ? `  (${m.cancelReason})` : ""}`).join("\n");
  return { json: { messages }, text: text || "The outbox is empty." };
};

const migrate: Command = async () => ({ json: { migrated: true }, text: "Migrations are up to date." });

export const COMMANDS: Record<string, Command> = {
  ...SCIM_COMMANDS,
  ...SSO_COMMANDS,
  ...DIRECTORY_COMMANDS,
  ...USER_COMMANDS,
  "migrate": migrate,
  "org create": orgCreate,
  "scim-token create": scimTokenCreate,
  "scim-token list": scimTokenList,
  "scim-token revoke": scimTokenRevoke,
  "mail list": mailList,
};

/** Splits argv into a known command name and its flags. */
export function resolveCommand(argv: string[]): { name: string; command: Command; args: string[] } {
  for (const words of [3, 2, 1]) {
    const name = argv.slice(0, words).join(" ");
    if (COMMANDS[name]) return { name, command: COMMANDS[name], args: argv.slice(words) };
  }
  throw new UsageError(`unknown command "${argv.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ")}". Commands: ${Object.keys(COMMANDS).join(", ")}`);
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** One line for any failure, and the exit code: 2 for usage, 1 otherwise. */
export function describeCliError(err: unknown): { message: string; code: number } {
  if (err instanceof ValidationError) {
    return { message: err.fields.map((f) => `--${kebab(f.field)}: ${f.message}`).join("; "), code: 2 };
  }
  if (err instanceof AppError && err.expose) return { message: err.message, code: err.status === 2 ? 2 : 1 };
  if (err instanceof ConfigError || err instanceof EmbeddedDatabaseBusyError) {
    return { message: err.message, code: err instanceof ConfigError ? 2 : 1 };
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "ECONNREFUSED" || e?.code === "ENOTFOUND") return { message: `cannot reach the database: ${e.message}`, code: 1 };
  return { message: `unexpected error: ${(e?.message ?? String(err)).split("\n")[0]}`, code: 1 };
}
