/**
 * The browser-facing SSO endpoints at /sso (outside /api: the IdP's POST is cross-site and
 * carries no CSRF header). Every refusal ends in a plain error page naming the reason class,
 * with no session and an audit event; success ends in the same session as password sign-in.
 */
import { Router, type Express, type Request, type Response } from "express";
import type { Organization, SsoConnection } from "../entities";
import type { Deps } from "../src/context";
import { AppError } from "../src/errors";
import { asyncHandler, userCtx } from "../src/http/auth-middleware";
import { startSession } from "../src/http/session";
import { SharedRateLimiter } from "../src/http/rate-limit";
import { loadConnectionForLogin } from "./connections.service";
import { refuse, SsoError, SsoRefusal } from "./errors";
import { auditRefusal, completeSsoLogin } from "./login";
import { renderErrorPage } from "./pages";
import { safeReturnTo } from "./return-to";
import { purgeExpired, samlLoginUrl, spMetadataXml, validateSamlPost } from "./saml";
import { oidcCallback, oidcLoginUrl } from "./oidc";
import { bindBrowser, browserMatches } from "./browser-binding";
import type { SsoProfile } from "./profile";
import { settleProfile } from "./profile-trust";
import { isComplete } from "./connection-config";
import { refreshMetadata } from "./metadata-refresh";
import { assertMayTest, dryRun, failed, oidcReceived, peekSamlTest, recordTest, samlReceived, testCtx, type TestMark, type TestReport } from "./connection-test";
import { renderTestReport } from "./test-report-page";

interface FlowState {
  conn: SsoConnection | null;
  org?: Organization;
  email?: string | null;
  /** A Test connection sign-in: failures are reported to the admin instead of the error page. */
  test?: TestMark;
  received?: TestReport["received"];
}

const settingsUrl = (c: SsoConnection) => `/orgs/${c.orgId}/settings/sso`;

type FlowHandler = (req: Request, res: Response, state: FlowState) => Promise<void>;

export function mountSso(app: Express, deps: Deps): void {
  const r = Router();
  // Counted in PostgreSQL like every other limit: N instances enforce one limit, not N.
  const callbacks = new SharedRateLimiter(deps.ds, "sso-callback-ip", deps.config.rateLimits.ssoCallbackPerIp, () => deps.clock.now());

  const flow = (fn: FlowHandler) => asyncHandler(async (req, res) => {
    const state: FlowState = { conn: null };
    res.set("Cache-Control", "no-store");
    try {
      await fn(req, res, state);
    } catch (err) {
      const requestId = String(req.id ?? "");
      if (state.test && state.conn && err instanceof SsoError) {
        const report = failed(deps, state.conn, err, state.received ?? null);
        await recordTest(deps, testCtx(req, state.test), state.conn, report);
        return renderTestReport(res, report, settingsUrl(state.conn));
      }
      if (err instanceof SsoRefusal) {
        req.log?.info({ reason: err.code, detail: err.detail, connectionId: state.conn?.id }, "sso refused");
        await auditRefusal(deps, userCtx(req), state.conn, err, state.email).catch((e) => req.log?.error({ err: e }, "sso refusal audit failed"));
        return renderErrorPage(res, err.status, err.message, err.code, requestId);
      }
      if (err instanceof AppError && err.expose) return renderErrorPage(res, err.status, err.message, err.code, requestId);
      req.log?.error({ err, connectionId: state.conn?.id }, "sso flow failed");
      const status = err instanceof AppError ? err.status : 500;
      return renderErrorPage(res, status, "Something went wrong on our side. Please try again.", err instanceof AppError ? err.code : "internal", requestId);
    }
  });

  const load = async (state: FlowState, req: Request, kind: "saml" | "oidc", allowDisabled = false) => {
    const { conn, org } = await loadConnectionForLogin(deps, String(req.params.id), kind, { allowDisabled });
    state.conn = conn;
    state.org = org;
    return { conn, org };
  };

  const finish = async (req: Request, res: Response, state: FlowState, profile: SsoProfile, returnTo: string) => {
    state.email = profile.email;
    const { conn, org } = state;
    const settled = await settleProfile(deps.ds.manager, org!.id, profile);
    state.email = settled.email;
    const outcome = await completeSsoLogin(deps, userCtx(req), conn!, org!, settled);
    // A real sign-in proves the connection works, like a Test connection does.
    await deps.ds.query(`UPDATE sso_connections SET tested_at = $2 WHERE id = $1 AND tested_at IS NULL`, [conn!.id, deps.clock.now()]);
    await startSession(deps, req, res, outcome.user.id, `sso:${org!.id}`);
    res.redirect(303, safeReturnTo(deps.config.baseUrl, returnTo));
  };

  r.get("/saml/:id/metadata", flow(async (req, res, state) => {
    // Served while disabled too: the IdP needs it before the connection can be tested.
    const { conn } = await load(state, req, "saml", true);
    res.type("application/samlmetadata+xml").send(await spMetadataXml(deps, conn));
  }));

  r.get("/saml/:id/login", flow(async (req, res, state) => {
    const { conn } = await load(state, req, "saml");
    const binding = bindBrowser(req, res, deps.config.secureCookies);
    res.redirect(302, await samlLoginUrl(deps, conn, safeReturnTo(deps.config.baseUrl, req.query.returnTo), binding));
  }));

  const report = async (req: Request, res: Response, state: FlowState, profile: SsoProfile) => {
    const r = await dryRun(deps, req, state.conn!, state.org!, profile, state.received ?? null);
    await recordTest(deps, testCtx(req, state.test!), state.conn!, r);
    renderTestReport(res, r, settingsUrl(state.conn!));
  };

  r.get("/:kind/:id/test", flow(async (req, res, state) => {
    const kind = req.params.kind === "saml" ? "saml" : req.params.kind === "oidc" ? "oidc" : null;
    if (!kind) throw refuse.connectionNotFound();
    const { conn } = await load(state, req, kind, true);
    const mark = await assertMayTest(deps, req, conn);
    if (!isComplete(conn)) throw new SsoError("sso.connection_incomplete", 409, "Add the identity provider's details to this connection before testing it.");
    const binding = bindBrowser(req, res, deps.config.secureCookies);
    const settings = `/orgs/${conn.orgId}/settings/sso`;
    res.redirect(302, kind === "saml" ? await samlLoginUrl(deps, conn, settings, binding, mark) : await oidcLoginUrl(deps, conn, settings, binding, mark));
  }));

  r.post("/saml/:id/acs", flow(async (req, res, state) => {
    await callbacks.hit(`acs:${req.params.id}:${req.ip}`);
    const { conn } = await load(state, req, "saml", true);
    await purgeExpired(deps);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const peek = await peekSamlTest(deps, conn.id, body);
    if (peek) Object.assign(state, { test: peek.mark, received: peek.received });
    if (!conn.enabled && !state.test) throw refuse.connectionNotFound();
    const result = await validateSamlPost(deps, conn, body).catch(async (err) => {
      // The IdP may have rotated its certificate: re-read its metadata URL (at most hourly) so
      // the next attempt succeeds without an admin. This attempt stays refused.
      if (err instanceof SsoRefusal && err.code === "sso.saml_signature_invalid") {
        await refreshMetadata(deps, conn.id, "signature_failed").catch((e) => req.log?.error({ err: e }, "sso metadata refresh failed"));
      }
      throw err;
    });
    state.email = result.profile.email;
    if (result.binding !== null && !browserMatches(req, result.binding)) {
      throw refuse.invalidResponse("sso.browser_mismatch", "the response arrived in a browser other than the one that started the login");
    }
    state.test = result.test ?? undefined;
    if (!conn.enabled && !state.test) throw refuse.connectionNotFound();
    if (state.test) {
      state.received = samlReceived(result.received, true);
      return report(req, res, state, result.profile);
    }
    await finish(req, res, state, result.profile, result.returnTo);
  }));

  r.get("/oidc/:id/login", flow(async (req, res, state) => {
    const { conn } = await load(state, req, "oidc");
    const binding = bindBrowser(req, res, deps.config.secureCookies);
    res.redirect(302, await oidcLoginUrl(deps, conn, safeReturnTo(deps.config.baseUrl, req.query.returnTo), binding));
  }));

  r.get("/oidc/:id/callback", flow(async (req, res, state) => {
    await callbacks.hit(`oidc:${req.params.id}:${req.ip}`);
    const { conn } = await load(state, req, "oidc", true);
    await purgeExpired(deps);
    const result = await oidcCallback(deps, conn, req, state);
    if (state.test) {
      state.received = oidcReceived(result.claims);
      return report(req, res, state, result.profile);
    }
    await finish(req, res, state, result.profile, result.returnTo);
  }));

  // Anything else under /sso (unknown kind, wrong verb) is a page too, never the JSON 404.
  r.use(flow(async () => {
    throw new AppError("sso.not_found", 404, "This sign-in link is not valid.");
  }));

  app.use("/sso", r);
}
