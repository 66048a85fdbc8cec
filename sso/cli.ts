/** CLI commands for SSO (`roster sso …`, `roster org domain …`). Same services as the API. */
import { readFile } from "node:fs/promises";
import { CLI_CTX, flags, required, uuidFlag, UsageError, type Command } from "../src/cli/flags";
import { createConnection, deleteConnection, listConnections, type ConnectionView } from "./connections.service";
import { addDomain } from "./domains.service";
import { recordConnectionCreator } from "./connection-creators";

async function readFlagFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

function jit(role: string | undefined): { jitEnabled?: boolean; jitRole?: string } {
  if (role === undefined) return {};
  if (role !== "member" && role !== "admin") throw new UsageError(`--jit-role must be member or admin, got "${role}"`);
  return { jitEnabled: true, jitRole: role };
}

function certLines(v: ConnectionView): string {
  return (v.saml?.certificates ?? []).map((c) => `  certificate ${c.fingerprintSha256.slice(0, 23)}… expires ${c.notAfter}${c.expired ? " (EXPIRED)" : c.expiresSoon ? " (expires soon)" : ""}`).join("\n");
}

const samlCreate: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" }, name: { type: "string" }, "idp-metadata-file": { type: "string" },
    "idp-entity-id": { type: "string" }, "idp-sso-url": { type: "string" }, "idp-cert-file": { type: "string", multiple: true },
    "allow-idp-initiated": { type: "boolean" }, "jit-role": { type: "string" } });
  const orgId = uuidFlag(f.org, "org", "an organization id");
  const metadataFile = f["idp-metadata-file"];
  const certFiles = (f["idp-cert-file"] ?? []) as string[];
  if (!metadataFile && (!f["idp-entity-id"] || !f["idp-sso-url"] || certFiles.length === 0)) {
    throw new UsageError("give --idp-metadata-file FILE, or --idp-entity-id ID --idp-sso-url URL --idp-cert-file FILE");
  }
  const body = {
    // The operator's CLI enables at once (an Owner's explicit enable; the API starts disabled until tested).
    kind: "saml", name: f.name, enabled: true,
    idpMetadataXml: metadataFile ? await readFlagFile(metadataFile, "idp-metadata-file") : undefined,
    idpEntityId: f["idp-entity-id"], idpSsoUrl: f["idp-sso-url"],
    idpCerts: certFiles.length ? await Promise.all(certFiles.map((p) => readFlagFile(p, "idp-cert-file"))) : undefined,
    allowIdpInitiated: f["allow-idp-initiated"] ? true : undefined,
    ...jit(f["jit-role"]),
  };
  const v = await createConnection(deps, CLI_CTX, orgId, body);
  await recordConnectionCreator(deps, v.id, CLI_CTX, null);
  const s = v.saml!;
  return {
    json: { id: v.id, spEntityId: s.spEntityId, acsUrl: s.acsUrl, metadataUrl: s.metadataUrl },
    text: `Created SAML connection ${v.id}.\nGive your IdP:\n  SP entity ID: ${s.spEntityId}\n  ACS URL:      ${s.acsUrl}\n  Metadata:     ${s.metadataUrl}\n${certLines(v)}`,
  };
};

const oidcCreate: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" }, name: { type: "string" }, issuer: { type: "string" },
    "client-id": { type: "string" }, "client-secret": { type: "string" }, "trust-emails": { type: "boolean" }, "jit-role": { type: "string" } });
  const orgId = uuidFlag(f.org, "org", "an organization id");
  const v = await createConnection(deps, CLI_CTX, orgId, {
    kind: "oidc", name: f.name, enabled: true, issuer: required(f.issuer, "issuer"), clientId: required(f["client-id"], "client-id"),
    clientSecret: required(f["client-secret"], "client-secret"), trustEmails: f["trust-emails"] ? true : undefined, ...jit(f["jit-role"]),
  });
  await recordConnectionCreator(deps, v.id, CLI_CTX, null);
  return { json: { id: v.id, redirectUri: v.oidc!.redirectUri }, text: `Created OIDC connection ${v.id}.\nRegister this redirect URI at your IdP: ${v.oidc!.redirectUri}` };
};

const ssoList: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" } });
  const connections = await listConnections(deps, uuidFlag(f.org, "org", "an organization id"));
  const text = connections.map((c) => `${c.id}  ${c.kind.padEnd(4)}  ${c.enabled ? "enabled " : "disabled"}  ${c.name || "-"}  login ${c.loginUrl}`
    + (c.saml ? `\n${certLines(c)}` : `\n  issuer ${c.oidc!.issuer}`)).join("\n");
  return { json: { connections }, text: text || "No SSO connections." };
};

const ssoDelete: Command = async (deps, args) => {
  const f = flags(args, { id: { type: "string" } });
  const id = uuidFlag(f.id, "id", "a connection id");
  await deleteConnection(deps, CLI_CTX, null, id);
  return { json: { id, deleted: true }, text: `Deleted SSO connection ${id}.` };
};

const domainAdd: Command = async (deps, args) => {
  const f = flags(args, { org: { type: "string" }, domain: { type: "string" }, verified: { type: "boolean" } });
  const orgId = uuidFlag(f.org, "org", "an organization id");
  const d = await addDomain(deps, CLI_CTX, orgId, required(f.domain, "domain"), { verified: f.verified === true });
  const text = d.verified
    ? `Added ${d.domain} (${d.id}), marked verified by the operator.`
    : `Added ${d.domain} (${d.id}), not verified yet.\nPublish this DNS record, then call POST /api/orgs/${orgId}/domains/${d.id}/verify:\n  ${d.verification.name}  TXT  "${d.verification.value}"`;
  return { json: { domain: d }, text };
};

export const SSO_COMMANDS: Record<string, Command> = {
  "sso saml create": samlCreate,
  "sso oidc create": oidcCreate,
  "sso list": ssoList,
  "sso delete": ssoDelete,
  "org domain add": domainAdd,
};
