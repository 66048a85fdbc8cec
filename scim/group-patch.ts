/**
 * PATCH for Groups, applied in SQL without reading the member list (scimmy's PatchOp would read
 * every member, then write them all back). Accepted shapes (idp-behaviors.md): path-less
 * replace of displayName/externalId/members (Okta sends id too), `members` add / replace /
 * remove with [{value}] (Entra default, JumpCloud), `members[value eq "id"]` remove (Entra flag,
 * Okta), several in one request, applied in order in one transaction.
 */
import type { Deps } from "../src/context";
import type { ScimCtx } from "./auth";
import { SCIMMY } from "./scimmy";
import { ScimError, badValue } from "./errors";
import { isObject } from "./normalize";
import { assertFilterWithinLimits } from "./filter-limits";
import { readOperations } from "./user-patch";
import { change, findGroup, finish, groupWrite, memberIds, type GroupChange, type GroupRow } from "./groups.service";
import { mappingFor } from "./roles";
import type { EntityManager } from "typeorm";

export async function patchGroup(deps: Deps, sc: ScimCtx, id: string, body: unknown): Promise<GroupRow> {
  const ops = readOperations(body);
  return groupWrite(deps, sc, async (tx, org) => {
    const g = await findGroup(tx, org.id, id);
    const ch = change(g, org, await mappingFor(tx, org.id, g.displayName));
    for (const { op, path, value } of ops) {
      if (!path) {
        if (!isObject(value)) throw badValue(`A ${op} without a path needs an object value.`);
        for (const [k, v] of Object.entries(value)) await applyOne(tx, ch, op, k, v);
      } else await applyOne(tx, ch, op, path, value);
    }
    return finish(deps, tx, sc, org, ch);
  });
}

const MEMBER_FILTER = /^members\[(.+)\](?:\.value)?$/i;

async function applyOne(tx: EntityManager, ch: GroupChange, op: string, rawPath: string, value: unknown): Promise<void> {
  const path = rawPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:Group:/i, "");
  const key = path.toLowerCase();
  if (key === "displayname") {
    if (op === "remove") throw new ScimError(400, "mutability", "displayName is required and cannot be removed.");
    if (typeof value !== "string" || !value.trim()) throw badValue("displayName must be a non-empty string.");
    ch.newName = value.trim().slice(0, 255);
  } else if (key === "externalid") {
    if (op !== "remove" && value !== null && typeof value !== "string") throw badValue("externalId must be a string.");
    ch.newExternalId = op === "remove" || value === null ? null : (value as string).slice(0, 255);
  } else if (key === "members") {
    if (op === "add") await ch.add(tx, await memberIds(tx, ch.orgId, value, true));
    else if (op === "replace") {
      const ids = await memberIds(tx, ch.orgId, value, true);
      await ch.remove(tx, "all", ids);
      await ch.add(tx, ids);
    } else if (value === undefined) await ch.remove(tx, "all");
    else await ch.remove(tx, await memberIds(tx, ch.orgId, value, false));
  } else if (MEMBER_FILTER.test(path)) {
    const ids = filterValues(MEMBER_FILTER.exec(path)![1]);
    if (op === "remove") await ch.remove(tx, ids);
    else await ch.add(tx, await memberIds(tx, ch.orgId, ids, true));
  }
  // id, schemas, meta and unknown attributes are ignored, as IdPs send them along.
}

/** The ids named by `value eq "…"` comparisons (joined by or/and) inside a members[…] filter. */
function filterValues(text: string): string[] {
  let parsed: Array<Record<string, unknown>>;
  assertFilterWithinLimits(text, "invalidPath");
  try {
    parsed = [...new SCIMMY.Types.Filter(text)] as Array<Record<string, unknown>>;
  } catch (err) {
    throw new ScimError(400, "invalidPath", `Cannot parse the filter '${text}': ${(err as Error).message}`);
  }
  const ids: string[] = [];
  for (const branch of parsed) {
    for (const [k, c] of Object.entries(branch)) {
      if (k.toLowerCase() !== "value" || !Array.isArray(c) || c[0] !== "eq") throw new ScimError(400, "invalidFilter", "Only members[value eq \"id\"] is supported.");
      ids.push(String(c[1]));
    }
  }
  return ids.filter((v) => /^[0-9a-f-]{36}$/i.test(v)).map((v) => v.toLowerCase());
}
