/** `roster directory …` (exact names, flags and JSON shapes: scripts depend on them). */
import { readFile } from "node:fs/promises";
import { CLI_CTX, flags, intFlag, required, uuidFlag, UsageError, type Command } from "../src/cli/flags";
import { createDirectory, deleteDirectory, listDirectories } from "./directory.service";
import { confirmHeld, runSync } from "./sync.service";
import { newInstanceId } from "./lease";
import type { SyncView } from "./sync-view";

const syncJson = (s: SyncView) => ({
  id: s.id, directoryId: s.directoryId, status: s.status, users: s.users, groups: s.groups,
  ...(s.error ? { error: s.error } : {}), ...(s.held ? { held: s.held } : {}),
});
const syncText = (s: SyncView) => `Sync ${s.id}: ${s.status}. Users seen ${s.users.seen}, created ${s.users.created}, updated ${s.users.updated}, suspended ${s.users.suspended}, restored ${s.users.restored}, removed ${s.users.removed}, unchanged ${s.users.unchanged}, skipped ${s.users.skipped}; groups seen ${s.groups.seen}.`
  + (s.held ? `\nHeld: ${s.held.reason}\nApply it with: roster directory confirm --id ${s.directoryId}` : "") + (s.error ? `\nError: ${s.error}` : "");

const googleCreate: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" }, "service-account-file": { type: "string" }, "admin-email": { type: "string" },
    "api-root": { type: "string" }, "org-unit": { type: "string", multiple: true }, group: { type: "string", multiple: true }, "interval-minutes": { type: "string" } });
  const orgId = uuidFlag(f.org, "org", "an organization id");
  const file = required(f["service-account-file"], "service-account-file");
  let key: string;
  try {
    key = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`--service-account-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const interval = intFlag(f["interval-minutes"], "interval-minutes", { min: 1, max: 1440 });
  const v = await createDirectory(deps, CLI_CTX, orgId, {
    type: "google", serviceAccountKey: key, adminEmail: required(f["admin-email"], "admin-email"), apiRoot: f["api-root"],
    orgUnits: f["org-unit"] as string[] | undefined, groups: f.group as string[] | undefined, intervalMinutes: interval,
  });
  return { json: { id: v.id, type: v.type, status: v.status }, text: `Created Google Workspace directory ${v.id} (acting as ${v.adminEmail}). First sync: roster directory sync --id ${v.id}` };
};

const sync: Command = async (deps, args) => {
  const f = flags(args, { id: { type: "string" } });
  const s = await runSync(deps, CLI_CTX, uuidFlag(f.id, "id", "a directory id"), { trigger: "manual", instance: newInstanceId() });
  return { json: syncJson(s), text: syncText(s) };
};

const confirm: Command = async (deps, args) => {
  const f = flags(args, { id: { type: "string" } });
  const s = await confirmHeld(deps, CLI_CTX, uuidFlag(f.id, "id", "a directory id"), newInstanceId());
  return { json: syncJson(s), text: syncText(s) };
};

const list: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" } });
  const directories = await listDirectories(deps, uuidFlag(f.org, "org", "an organization id"));
  const text = directories.map((d) => `${d.id}  ${d.type}  ${d.status}  as ${d.adminEmail}  every ${d.intervalMinutes} min  last sync ${d.lastSync ? `${d.lastSync.status} ${d.lastSync.startedAt.toISOString()}` : "never"}`).join("\n");
  return { json: { directories }, text: text || "No directories." };
};

const remove: Command = async (deps, args) => {
  const f = flags(args, { id: { type: "string" } });
  const id = uuidFlag(f.id, "id", "a directory id");
  await deleteDirectory(deps, CLI_CTX, id);
  return { json: { id, deleted: true }, text: `Deleted directory ${id}; its members stay.` };
};

export const DIRECTORY_COMMANDS: Record<string, Command> = {
  "directory google create": googleCreate,
  "directory sync": sync,
  "directory confirm": confirm,
  "directory list": list,
  "directory delete": remove,
};
