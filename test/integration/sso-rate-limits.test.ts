/**
 * SSO discovery and the SSO callbacks (SAML ACS, OIDC callback) are rate-limited per client IP in
 * PostgreSQL, so two instances on one database enforce one limit: hits alternate between two
 * apps on the same database here, as a balancer would spread them.
 */
import { randomUUID } from "node:crypto";
import request from "supertest";
import { createApp } from "../../src/app";
import { mountFeatures } from "../../src/features";
import { SAME_ORIGIN, startTestApp, type TestApp } from "../support/app";

let t: TestApp;
let apps: ReturnType<typeof createApp>[];
beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMIT_SSO_DISCOVERY_PER_IP: "3/1m", RATE_LIMIT_SSO_CALLBACK_PER_IP: "2/1m" } });
  apps = [t.app, createApp(t.deps, { mount: (a) => mountFeatures(a, t.deps) })];
});
afterAll(() => t.close());

it("limits SSO discovery per IP across instances (429 with Retry-After), and a new window lets it through", async () => {
  const discover = (i: number) => request(apps[i % 2]).post("/api/sso/discover").set(SAME_ORIGIN).send({ email: "someone@nowhere.test" });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await discover(i)).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const limited = await discover(4);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
  t.clock.advance(61_000);
  expect((await discover(5)).status).toBe(200);
});

it("limits SSO callbacks per IP across instances", async () => {
  const conn = randomUUID();
  const acs = (i: number) => request(apps[i % 2]).post(`/sso/saml/${conn}/acs`).type("form").send({ SAMLResponse: "x" });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await acs(i)).status);
  expect(statuses[2]).toBe(429);
  expect(statuses.slice(0, 2)).not.toContain(429);
  const oidc = (i: number) => request(apps[i % 2]).get(`/sso/oidc/${conn}/callback?code=x&state=y`);
  const o = [];
  for (let i = 0; i < 3; i++) o.push((await oidc(i)).status);
  expect(o[2]).toBe(429);
});
