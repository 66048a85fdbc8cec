/** An Enterprise org connected to its own Google emulator, for the directory tests. */
import type { TestApp } from "./app";
import { createOrg, type OrgFixture } from "./actors";
import { addDomain } from "../../sso/domains.service";
import { SYSTEM_CTX } from "../../src/context";
import { GoogleEmulator } from "./google-emulator";

export interface DirectoryFixture extends OrgFixture {
  google: GoogleEmulator;
  domain: string;
  key: Record<string, string>;
  directoryId: string;
  email(local: string): string;
  sync(): Promise<Record<string, any>>;
}

let n = 0;

/** Org with `domain` verified, an emulator whose admin is admin@domain, the directory connected over the API by the Owner. */
export async function connectDirectory(t: TestApp, opts: { body?: Record<string, unknown>; setup?: (g: GoogleEmulator, domain: string) => void; beforeConnect?: (fx: OrgFixture) => Promise<void> } = {}): Promise<DirectoryFixture> {
  const domain = `d${++n}-${Date.now().toString(36)}.test`;
  const fx = await createOrg(t, "enterprise");
  await addDomain(t.deps, SYSTEM_CTX, fx.orgId, domain, { verified: true });
  const google = await GoogleEmulator.start();
  t.deps.httpsAgent = google.agent();
  google.addUser(`admin@${domain}`, { isAdmin: true });
  opts.setup?.(google, domain);
  await opts.beforeConnect?.(fx);
  const key = await google.serviceAccount();
  const r = await fx.owner.post(`/api/orgs/${fx.orgId}/directories`, { type: "google", serviceAccountKey: key, adminEmail: `admin@${domain}`, apiRoot: google.apiRoot, ...opts.body });
  if (r.status !== 201) throw new Error(`directory create failed: ${r.status} ${JSON.stringify(r.body)}`);
  const directoryId = r.body.id;
  return {
    ...fx, google, domain, key, directoryId,
    email: (local: string) => `${local}@${domain}`,
    sync: async () => {
      t.deps.httpsAgent = google.agent();
      const s = await fx.owner.post(`/api/orgs/${fx.orgId}/directories/${directoryId}/sync`);
      if (s.status !== 200) throw new Error(`sync failed: ${s.status} ${JSON.stringify(s.body)}`);
      return s.body;
    },
  };
}
