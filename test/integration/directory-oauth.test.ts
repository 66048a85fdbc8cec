/**
 * "Connect Google Workspace" by OAuth consent against the emulator: the Owner gets Google's
 * consent URL (offline access, read-only directory scopes, PKCE), the admin allows, the callback
 * stores the refresh token encrypted, and syncs use it. The state only works for its own Owner.
 */
import { startTestApp, type TestApp } from "../support/app";
import { createOrg, signUp, type OrgFixture } from "../support/actors";
import { GoogleEmulator } from "../support/google-emulator";
import { addDomain } from "../../sso/domains.service";
import { SYSTEM_CTX } from "../../src/context";

let t: TestApp;
let google: GoogleEmulator;
let fx: OrgFixture;
const DOMAIN = "oauth-dir.test";

beforeAll(async () => {
  google = await GoogleEmulator.start();
  const client = google.oauthClient();
  t = await startTestApp({ configure: (c) => {
    c.googleOAuth = { ...client, authUrl: `${google.origin}/o/oauth2/v2/auth`, tokenUrl: google.tokenUri };
  } });
  t.deps.httpsAgent = google.agent();
  fx = await createOrg(t, "enterprise");
  await addDomain(t.deps, SYSTEM_CTX, fx.orgId, DOMAIN, { verified: true });
  google.addUser(`admin@${DOMAIN}`, { isAdmin: true });
  google.addUser(`kim.park@${DOMAIN}`);
});
afterAll(async () => {
  await google.stop();
  await t.close();
});

it("connects with the admin's consent, stores the refresh token encrypted, and syncs with it", async () => {
  const start = await fx.owner.post(`/api/orgs/${fx.orgId}/directories/google/connect`, { adminEmail: `admin@${DOMAIN}`, apiRoot: google.apiRoot });
  expect(start.status).toBe(200);
  const url = new URL(start.body.authorizeUrl);
  expect(url.origin + url.pathname).toBe(`${google.origin}/o/oauth2/v2/auth`);
  expect(url.searchParams.get("access_type")).toBe("offline");
  expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  expect(url.searchParams.get("scope")).toContain("admin.directory.user.readonly");
  expect(url.searchParams.get("redirect_uri")).toBe("http://roster.test/directories/google/callback");

  const back = google.consent(start.body.authorizeUrl, `admin@${DOMAIN}`);
  const stranger = await signUp(t, `stranger.${Date.now()}@example.test`);
  const stolen = await stranger.get(`/directories/google/callback${back.search}`);
  expect(stolen.status).toBe(303);
  expect(stolen.headers.location).toMatch(/directoryError=directory\.oauth_failed/);

  const again = google.consent(start.body.authorizeUrl, `admin@${DOMAIN}`);
  const cb = await fx.owner.get(`/directories/google/callback${again.search}`);
  expect(cb.status).toBe(303);
  expect(cb.headers.location).toBe(`/orgs/${fx.orgId}/settings/sso?directory=connected`);

  const list = await fx.owner.get(`/api/orgs/${fx.orgId}/directories`);
  const d = list.body.directories[0];
  expect(d).toMatchObject({ credential: "oauth", adminEmail: `admin@${DOMAIN}` });
  const [row] = await t.deps.ds.query(`SELECT secret_encrypted FROM directories WHERE id = $1`, [d.id]);
  expect(row.secret_encrypted).not.toContain("1//");
  const s = await fx.owner.post(`/api/orgs/${fx.orgId}/directories/${d.id}/sync`);
  expect(s.body).toMatchObject({ status: "applied", users: { created: 2 } });
});

it("without GOOGLE_CLIENT_ID/SECRET the button says what is missing", async () => {
  const saved = t.deps.config.googleOAuth;
  t.deps.config.googleOAuth = undefined;
  try {
    const r = await fx.owner.post(`/api/orgs/${fx.orgId}/directories/google/connect`, { adminEmail: `admin@${DOMAIN}` });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("directory.oauth_not_configured");
  } finally {
    t.deps.config.googleOAuth = saved;
  }
});
