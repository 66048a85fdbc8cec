/**
 * Test connection: an admin runs a real sign-in through the IdP in a new window and sees what the
 * IdP sent (NameID, attributes or claims, signatures and algorithms) and what Roster would do
 * (who, which role, or the reason it refuses, in words). Nothing is created: the login decision
 * runs in a rolled-back transaction (login.ts dryRun) and no session starts. Works on disabled
 * connections; a successful test sets tested_at, which lets Admins enable the connection.
 */
import type { Request } from "express";
import { XMLSerializer } from "@xmldom/xmldom";
import { SsoConnection, SsoTransaction, type Organization } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { can } from "../src/auth/permissions";
import { loadOrgAccess } from "../src/members/member-access";
import { userCtx } from "../src/http/auth-middleware";
import { SsoError, SsoRefusal } from "./errors";
import { completeSsoLogin } from "./login";
import { settleProfile } from "./profile-trust";
import type { SsoProfile } from "./profile";
import { reasonInWords } from "./reason-words";
import { algorithmName, describeSignatures, type SignatureReport } from "./saml-signatures";
import { attributesFromAssertion, nameIdOf, type SamlAttribute } from "./saml-attributes";
import { child, parseXml, SAML_NS } from "./xml";
import { MAX_SAML_RESPONSE_BYTES } from "./saml";

/** Stored with the login transaction: who started the test. */
export interface TestMark {
  userId: string;
}

export interface TestReport {
  at: string;
  ok: boolean;
  kind: "saml" | "oidc";
  received: {
    nameId?: string | null;
    nameIdFormat?: string | null;
    attributes?: SamlAttribute[];
    signatures?: { response: string | null; assertion: string | null };
    claims?: Record<string, unknown>;
    verified: boolean;
  } | null;
  outcome: { email: string | null; name: string | null; role: string; how: "identity" | "linked" | "jit"; existingAccount: boolean } | null;
  refusal: { code: string; message: string } | null;
}

/** Only a signed-in member with sso.manage in the connection's org may start a test. */
export async function assertMayTest(deps: Deps, req: Request, conn: SsoConnection): Promise<TestMark> {
  const userId = req.auth?.user.id;
  const access = userId ? await loadOrgAccess(deps.ds, conn.orgId, userId) : null;
  if (!access || access.membership.status !== "active" || !can(access.subject, "sso.manage")) {
    throw new SsoRefusal("sso.test_not_allowed", "Sign in to Roster as an admin of this organization to test its connection.", "test started without sso.manage", { status: 403 });
  }
  return { userId: userId! };
}

const sigName = (s: SignatureReport["response"]) => (s ? `${algorithmName(s.signatureAlgorithm)} (digest ${s.digestAlgorithms.map(algorithmName).join(", ")})` : null);

export function samlReceived(r: { nameId: string; nameIdFormat: string | null; attributes: SamlAttribute[]; signatures: SignatureReport }, verified: boolean): TestReport["received"] {
  return { nameId: r.nameId, nameIdFormat: r.nameIdFormat, attributes: r.attributes.slice(0, 100),
    signatures: { response: sigName(r.signatures.response), assertion: sigName(r.signatures.assertion) }, verified };
}

/** Claims without anything that could be a credential (they are verified ID-token claims, but stay tidy). */
export function oidcReceived(claims: Record<string, unknown>): TestReport["received"] {
  const { at_hash: _a, c_hash: _c, nonce: _n, ...rest } = claims;
  return { claims: rest, verified: true };
}

/** Runs the login decision without effects. */
export async function dryRun(deps: Deps, req: Request, conn: SsoConnection, org: Organization, profile: SsoProfile, received: TestReport["received"]): Promise<TestReport> {
  const base = { at: deps.clock.now().toISOString(), kind: conn.kind, received };
  try {
    const settled = await settleProfile(deps.ds.manager, org.id, profile);
    const existing = settled.email ? await deps.ds.query(`SELECT 1 FROM users WHERE lower(email) = $1`, [settled.email]) : [];
    const o = await completeSsoLogin(deps, userCtx(req), conn, org, settled, { dryRun: true });
    return { ...base, ok: true, refusal: null,
      outcome: { email: o.user.email, name: o.user.name ?? settled.name, role: o.membership.role, how: o.how, existingAccount: (existing as unknown[]).length > 0 } };
  } catch (err) {
    if (!(err instanceof SsoError)) throw err;
    return failed(deps, conn, err, received);
  }
}

export function failed(deps: Deps, conn: SsoConnection, err: SsoError, received: TestReport["received"]): TestReport {
  return { at: deps.clock.now().toISOString(), kind: conn.kind, ok: false, received, outcome: null,
    refusal: { code: err.code, message: reasonInWords(err.code, err.message) } };
}

/** The test's audit actor is the admin who started it (the IdP's POST carries no Roster session). */
export function testCtx(req: Request, mark: TestMark): Ctx {
  return { actor: { type: "user", id: mark.userId }, ip: req.ip ?? null, requestId: req.id ? String(req.id) : null };
}

/**
 * Before validation: does this SAMLResponse answer a Test connection request? Read from the
 * unverified InResponseTo, used only to choose how to report; validation decides everything else.
 */
export async function peekSamlTest(deps: Deps, connectionId: string, body: Record<string, unknown>): Promise<{ mark: TestMark; received: TestReport["received"] } | null> {
  const raw = body.SAMLResponse;
  if (typeof raw !== "string" || raw.length > MAX_SAML_RESPONSE_BYTES) return null;
  let root: Element;
  try {
    root = parseXml(Buffer.from(raw, "base64").toString("utf8")).documentElement;
  } catch {
    return null;
  }
  const irt = root.getAttribute("InResponseTo");
  if (!irt || irt.length > 128) return null;
  const row = await deps.ds.getRepository(SsoTransaction).findOneBy({ id: irt, connectionId });
  const mark = row?.data?.test as TestMark | undefined;
  if (!mark?.userId) return null;
  const assertion = child(root, SAML_NS.assertion, "Assertion");
  const assertionXml = assertion ? new XMLSerializer().serializeToString(assertion as never) : null;
  const nameId = assertionXml ? nameIdOf(assertionXml) : null;
  let signatures: SignatureReport = { response: null, assertion: null };
  try {
    signatures = describeSignatures(Buffer.from(raw, "base64").toString("utf8"));
  } catch { /* unreadable: reported as unsigned */ }
  return { mark, received: samlReceived({ nameId: nameId?.value ?? "", nameIdFormat: nameId?.format ?? null,
    attributes: assertionXml ? attributesFromAssertion(assertionXml) : [], signatures }, false) };
}

export async function recordTest(deps: Deps, ctx: Ctx, conn: SsoConnection, report: TestReport): Promise<void> {
  await deps.ds.transaction(async (tx) => {
    await tx.getRepository(SsoConnection).update({ id: conn.id }, {
      lastTest: report as never, ...(report.ok ? { testedAt: deps.clock.now() } : {}),
    });
    await recordAudit(tx, ctx, { orgId: conn.orgId, action: "sso_connection.tested", target: { type: "sso_connection", id: conn.id, name: conn.name || conn.kind },
      metadata: { ok: report.ok, reason: report.refusal?.code ?? null } });
  });
}
