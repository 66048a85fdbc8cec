/**
 * The browser UI: static pages (public/pages/*.html) whose small ES modules call the JSON API.
 * Pages carry their own Content-Security-Policy (scripts and styles only from this origin, no
 * inline code); pages that need a session redirect to /login first.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import { join } from "node:path";
import type { Deps } from "../context";
import { asyncHandler } from "../http/auth-middleware";
import { countOrgs } from "../orgs/org.service";
import { setupRoutes } from "./setup";
import { projectRoot } from "../project-root";

export const PUBLIC_DIR = join(projectRoot(), "public");

function csp(deps: Deps): string {
  return [
    "default-src 'self'", "base-uri 'self'", "connect-src 'self'", "font-src 'self'", "form-action 'self'",
    "frame-ancestors 'none'", "img-src 'self' data:", "object-src 'none'", "script-src 'self'", "script-src-attr 'none'",
    "style-src 'self'",
    // Only when served over https: on plain http it would send the browser to an https port nobody listens on.
    ...(deps.config.baseUrl.startsWith("https://") ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Only paths of this site: "/x" but never "//host" or "/\host". */
export function safeReturnTo(value: unknown): string | undefined {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) ? value : undefined;
}

export function mountUi(app: Express, deps: Deps): void {
  const policy = csp(deps);
  const page = (name: string, opts: { signedIn?: boolean } = {}): RequestHandler => (req: Request, res: Response) => {
    if (opts.signedIn && !req.auth) {
      res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.setHeader("Content-Security-Policy", policy);
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.sendFile(join(PUBLIC_DIR, "pages", `${name}.html`));
  };

  app.use("/assets", express.static(PUBLIC_DIR, { index: false, fallthrough: false, maxAge: 0 }));
  app.use(setupRoutes(deps));

  app.get("/", asyncHandler(async (req, res) => {
    if (req.auth) return res.redirect(303, "/app");
    res.redirect(303, (await countOrgs(deps)) === 0 ? "/setup" : "/login");
  }));
  app.get("/login", page("login"));
  app.get("/signup", page("signup"));
  app.get("/forgot-password", page("forgot-password"));
  // The reset link carries its token in the fragment (#…), which the browser never sends here.
  app.get("/reset-password", page("reset-password"));
  app.get("/setup", page("setup"));
  app.get("/app", page("app", { signedIn: true }));
  app.get("/orgs/:orgId", page("overview", { signedIn: true }));
  app.get("/orgs/:orgId/settings/members", page("members", { signedIn: true }));
  app.get("/orgs/:orgId/settings/sso", page("sso", { signedIn: true }));
  app.get("/orgs/:orgId/audit", page("audit", { signedIn: true }));
  app.get("/orgs/:orgId/chatbots", page("chatbots", { signedIn: true }));
  // The emailed link: the token is in the path, so no Referer may ever carry it elsewhere.
  app.get("/invitations/:token", page("invitation"));
  app.get("/join/:token", page("join"));
  app.get("/sso-link/:token", page("sso-link"));
}
