/** CLI commands for SCIM (`roster scim …`). */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ROLES } from "../entities";
import { UsageError, type Command } from "../src/cli/commands";
import { SYSTEM_CTX, type Ctx } from "../src/context";
import { isUuid, parse } from "../src/http/validate";
import { saveMapping } from "./mappings.service";

const CLI_CTX: Ctx = { ...SYSTEM_CTX, actor: { type: "system", name: "roster cli" } };

/** `roster scim map-group --org ORG_ID --group DISPLAY_NAME --role admin [--json]`: creates or updates the mapping. */
const mapGroup: Command = async (deps, args) => {
  let f: { org?: string; group?: string; role?: string };
  try {
    f = parseArgs({ args, options: { org: { type: "string" }, group: { type: "string" }, role: { type: "string" }, json: { type: "boolean" } }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  for (const k of ["org", "group", "role"] as const) if (!f[k]) throw new UsageError(`missing required flag --${k}`);
  if (!isUuid(f.org)) throw new UsageError(`--org must be an organization id (a UUID), got "${f.org}"`);
  const input = parse(z.object({
    groupName: z.string().trim().min(1).max(255),
    role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
  }), { groupName: f.group, role: f.role });
  const m = await saveMapping(deps, CLI_CTX, f.org!, input, { upsert: true });
  return { json: { mapping: m }, text: `SCIM group "${m.groupName}" now maps to role ${m.role} (mapping ${m.id}).` };
};

export const SCIM_COMMANDS: Record<string, Command> = {
  "scim map-group": mapGroup,
};
