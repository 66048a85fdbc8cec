/** CLI commands for SCIM (`roster scim …`). */
import { z } from "zod";
import { ROLES } from "../entities";
import { CLI_CTX, flags, uuidFlag, required, type Command } from "../src/cli/flags";
import { parse } from "../src/http/validate";
import { saveMapping } from "./mappings.service";

/** `roster scim map-group --org ORG_ID --group DISPLAY_NAME --role admin [--json]`: creates or updates the mapping. */
const mapGroup: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" }, group: { type: "string" }, role: { type: "string" } });
  const orgId = uuidFlag(f.org, "org", "an organization id");
  const input = parse(z.object({
    groupName: z.string().trim().min(1).max(255),
    role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
  }), { groupName: required(f.group, "group"), role: required(f.role, "role") });
  const m = await saveMapping(deps, CLI_CTX, orgId, input, { upsert: true });
  return { json: { mapping: m }, text: `SCIM group "${m.groupName}" now maps to role ${m.role} (mapping ${m.id}).` };
};

export const SCIM_COMMANDS: Record<string, Command> = {
  "scim map-group": mapGroup,
};
