/** SCIM test helpers: an enterprise org with a token, and a client that talks to /scim/v2 like an IdP. */
import request from "supertest";
import type { Express } from "express";
import type { TestApp } from "./app";
import { createOrg, type OrgFixture } from "./actors";
import { createScimToken } from "../../src/scim-tokens/scim-token.service";
import { SYSTEM_CTX } from "../../src/context";
import type { Plan } from "../../entities";

export const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export class ScimClient {
  constructor(readonly app: Express, readonly token: string, readonly contentType = "application/scim+json") {}
  private auth(t: request.Test): request.Test {
    return t.set("Authorization", `Bearer ${this.token}`).set("Accept", "application/scim+json");
  }
  get(path: string) {
    return this.auth(request(this.app).get(`/scim/v2${path}`));
  }
  delete(path: string) {
    return this.auth(request(this.app).delete(`/scim/v2${path}`));
  }
  post(path: string, body: unknown) {
    return this.auth(request(this.app).post(`/scim/v2${path}`)).set("Content-Type", this.contentType).send(JSON.stringify(body));
  }
  put(path: string, body: unknown) {
    return this.auth(request(this.app).put(`/scim/v2${path}`)).set("Content-Type", this.contentType).send(JSON.stringify(body));
  }
  patch(path: string, body: unknown) {
    return this.auth(request(this.app).patch(`/scim/v2${path}`)).set("Content-Type", this.contentType).send(JSON.stringify(body));
  }
  patchOps(path: string, ...ops: unknown[]) {
    return this.patch(path, { schemas: [PATCH_OP], Operations: ops });
  }
}

export interface ScimOrg extends OrgFixture {
  token: string;
  tokenId: string;
  scim: ScimClient;
}

export async function scimOrg(t: TestApp, name = "Scimco", plan: Plan = "enterprise"): Promise<ScimOrg> {
  const fx = await createOrg(t, "enterprise", name);
  const { token, view } = await createScimToken(t.deps, SYSTEM_CTX, fx.orgId, `${name} IdP`);
  if (plan !== "enterprise") await t.deps.ds.query(`UPDATE organizations SET plan = $2 WHERE id = $1`, [fx.orgId, plan]);
  return { ...fx, token, tokenId: view.id, scim: new ScimClient(t.app, token) };
}

let n = 0;
/** A user as Entra ID posts it (core + enterprise schemas, work email, meta and roles in the request). */
export function entraUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return {
    schemas: [CORE_USER, ENTERPRISE_USER], externalId: `ext-${n}-${userName}`, userName, active: true,
    emails: [{ primary: true, type: "work", value: userName.includes("@") ? userName : `${userName}@corp.test` }],
    meta: { resourceType: "User" }, name: { formatted: "Ada Lovelace", familyName: "Lovelace", givenName: "Ada" },
    roles: [], addresses: null, title: null, ...extra,
  };
}

export function expectScimError(body: Record<string, unknown>, status: number, scimType?: string): void {
  expect(body.schemas).toEqual([ERROR]);
  expect(body.status).toBe(String(status));
  if (scimType) expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe("string");
}
