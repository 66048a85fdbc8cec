/**
 * The real app listening on 127.0.0.1 (BASE_URL = that origin, so CSRF origin checks and
 * emailed links match what the browser sees) and one headless Debian Chromium per test file.
 */
import { createServer, type Server } from "node:net";
import type { Server as HttpServer } from "node:http";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startTestApp, type TestApp, type TestAppOptions } from "../support/app";
import { PASSWORD } from "../support/actors";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((ok) => probe.listen(0, "127.0.0.1", ok));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((ok) => probe.close(() => ok()));
  return port;
}

export interface BrowserApp {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser profile (cookies and storage of its own) at a laptop size unless told. */
  newPage(opts?: { width?: number; height?: number }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startBrowserApp(opts: TestAppOptions = {}): Promise<BrowserApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ smtp: true, ...opts, configure: (c) => { c.baseUrl = baseUrl; opts.configure?.(c); } });
  const server: HttpServer = await new Promise((ok, fail) => {
    const s = t.app.listen(port, "127.0.0.1", () => ok(s));
    s.on("error", fail);
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  return {
    t, baseUrl, browser,
    async newPage({ width = 1280, height = 860 } = {}) {
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width, height }, locale: "en-US", timezoneId: "UTC" });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await t.close();
    },
  };
}

/** Collects what the page logs as errors (CSP violations, uncaught exceptions). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    // An API answering 4xx is logged by Chromium as a failed resource: expected, shown on the page.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

/**
 * Screenshots go to $TMPDIR/roster-ui-screenshots; with UPDATE_SCREENSHOTS=1 also to docs/
 * (the committed copies shown in the README).
 */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const dir = join(tmpdir(), "roster-ui-screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name), fullPage: opts.fullPage ?? false });
  if (process.env.UPDATE_SCREENSHOTS === "1") await page.screenshot({ path: join(__dirname, "..", "..", "docs", name), fullPage: opts.fullPage ?? false });
}

/** Signs in through the login page as a person would, and waits for the org's overview. */
export async function signInThroughPage(page: Page, email: string, orgId: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`**/orgs/${orgId}`);
}

/** The table row that shows `text`. */
export const rowOf = (page: Page, text: string) => page.locator("tbody tr", { hasText: text });
