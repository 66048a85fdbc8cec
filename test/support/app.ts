/**
 * The real app on a fresh database for one test file: createApp(deps) under supertest (never
 * listen), a clock the test can move, and, when asked, a real SMTP server receiving the outbox.
 */
import type { Express } from "express";
import request from "supertest";
import type { Clock, Deps } from "../../src/context";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";
import { Outbox } from "../../src/mail/outbox";
import { MailDispatcher } from "../../src/mail/dispatcher";
import { loadConfig, type Config } from "../../src/config";
import { mountFeatures } from "../../src/features";
import { openTestDatabase, type TestDatabase } from "./test-db";
import { MailCatcher } from "./smtp";

export class TestClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestApp {
  app: Express;
  deps: Deps;
  db: TestDatabase;
  clock: TestClock;
  mail: MailCatcher | undefined;
  dispatcher: MailDispatcher | undefined;
  close(): Promise<void>;
}

export interface TestAppOptions {
  smtp?: boolean;
  env?: Record<string, string>;
  configure?: (c: Config) => void;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = await openTestDatabase();
  const mail = opts.smtp ? new MailCatcher() : undefined;
  const smtpUrl = mail ? await mail.start() : undefined;
  const config = loadConfig({
    BASE_URL: "http://roster.test", SESSION_SECRET: "test-session-secret-0123456789abcdef", LOG_LEVEL: "silent",
    DATA_DIR: "/tmp/roster-test-data", ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}), ...opts.env,
  });
  opts.configure?.(config);
  const clock = new TestClock();
  const outbox = new Outbox();
  const deps: Deps = { config, ds: db.ds, logger: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"), clock, outbox };
  const dispatcher = smtpUrl ? new MailDispatcher(db.ds, outbox, deps.logger, { smtpUrl, from: config.mailFrom, pollMs: 200 }) : undefined;
  dispatcher?.start();
  const app = createApp(deps, { mount: (a) => mountFeatures(a, deps) });
  return {
    app, deps, db, clock, mail, dispatcher,
    close: async () => {
      await dispatcher?.stop();
      await mail?.stop();
      await db.close();
    },
  };
}

/**
 * What a browser adds to a request made by one of Roster's own pages; the CSRF guard refuses
 * /api writes that carry neither it nor our Origin.
 */
export const SAME_ORIGIN = { "Sec-Fetch-Site": "same-origin" } as const;

/** An anonymous write to /api as one of our own pages makes it (no cookies kept). */
export function pageRequest(app: Express) {
  return {
    post: (path: string) => request(app).post(path).set(SAME_ORIGIN),
    patch: (path: string) => request(app).patch(path).set(SAME_ORIGIN),
    put: (path: string) => request(app).put(path).set(SAME_ORIGIN),
    delete: (path: string) => request(app).delete(path).set(SAME_ORIGIN),
  };
}

/**
 * A browser-like API client: keeps the session cookie and, on writes, sends the CSRF token and
 * the Sec-Fetch-Site header a browser adds, as the UI does.
 */
export class ApiClient {
  readonly agent: ReturnType<typeof request.agent>;
  csrf: string | undefined;
  constructor(readonly app: Express) {
    this.agent = request.agent(app);
  }
  async refreshCsrf(): Promise<void> {
    const r = await this.agent.get("/api/auth/csrf");
    this.csrf = r.body.csrfToken;
  }
  get(path: string) {
    return this.agent.get(path);
  }
  private withCsrf(t: request.Test): request.Test {
    t.set(SAME_ORIGIN);
    return this.csrf ? t.set("X-CSRF-Token", this.csrf) : t;
  }
  post(path: string, body?: object) {
    return this.withCsrf(this.agent.post(path)).send(body ?? {});
  }
  patch(path: string, body?: object) {
    return this.withCsrf(this.agent.patch(path)).send(body ?? {});
  }
  put(path: string, body?: object) {
    return this.withCsrf(this.agent.put(path)).send(body ?? {});
  }
  delete(path: string) {
    return this.withCsrf(this.agent.delete(path));
  }
}
