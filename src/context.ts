/**
 * What every service call carries: who acts and from where. Tenant and actor are explicit
 * arguments (never state on shared objects); services take `(deps, ctx, …)`.
 */
import type { Agent } from "node:https";
import type { DataSource } from "typeorm";
import type { ActorType, PartySnapshot } from "../entities";
import type { Config } from "./config";
import type { Logger } from "./logger";
import type { Outbox } from "./mail/outbox";

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Deps {
  config: Config;
  ds: DataSource;
  logger: Logger;
  clock: Clock;
  outbox: Outbox;
  /**
   * Outbound https to identity providers' APIs (Google Directory). Unset: Node's global agent,
   * which trusts the system CAs plus NODE_EXTRA_CA_CERTS; tests pass one trusting their emulator.
   */
  httpsAgent?: Agent;
}

export interface Actor {
  type: ActorType;
  id?: string | null;
  email?: string | null;
  name?: string | null;
}

export interface Ctx {
  actor: Actor;
  ip?: string | null;
  requestId?: string | null;
  /**
   * For provisioning credentials other than SCIM tokens (e.g. a directory sync): whether this
   * credential may make Owner changes, as credentialMayManageOwners(org, creatorRole) decided
   * (src/members/idp-owner-guard.ts). Absent: no.
   */
  idpOwnerAuthority?: boolean;
}

export const SYSTEM_CTX: Ctx = { actor: { type: "system", name: "system" } };

export function actorSnapshot(actor: Actor): PartySnapshot {
  return { type: actor.type, id: actor.id ?? null, email: actor.email ?? null, name: actor.name ?? null };
}
