import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config";

const dataDir = () => mkdtempSync(join(tmpdir(), "roster-cfg-"));

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const dir = dataDir();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c).toMatchObject({ port: 3000, baseUrl: "http://localhost:3000", databaseUrl: undefined, smtpUrl: undefined,
      logLevel: "info", trustProxy: false, secureCookies: false });
    // SESSION_SECRET absent: generated once, kept under DATA_DIR, reused.
    expect(readFileSync(join(dir, "session-secret"), "utf8").trim()).toBe(c.sessionSecret);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(c.sessionSecret);
  });

  it("derives BASE_URL from PORT and marks https for Secure cookies", () => {
    expect(loadConfig({ DATA_DIR: dataDir(), PORT: "8080" }).baseUrl).toBe("http://localhost:8080");
    const c = loadConfig({ DATA_DIR: dataDir(), BASE_URL: "https://roster.example.com/" });
    expect(c).toMatchObject({ baseUrl: "https://roster.example.com", secureCookies: true });
  });

  it("reports every problem at once, each naming its variable", () => {
    try {
      loadConfig({ PORT: "99999", BASE_URL: "ftp://x", DATABASE_URL: "mysql://x", SMTP_URL: "http://x", SESSION_SECRET: "short", LOG_LEVEL: "loud" });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).problems.map((p) => p.split(":")[0]).sort();
      expect(vars).toEqual(["BASE_URL", "DATABASE_URL", "LOG_LEVEL", "PORT", "SESSION_SECRET", "SMTP_URL"]);
    }
  });

  it("parses TRUST_PROXY", () => {
    expect(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "loopback" }).trustProxy).toBe("loopback");
  });

  it("refuses to start on PostgreSQL without SESSION_SECRET, in one line; embedded mode keeps generating it", () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: "postgres://db/roster" }))
      .toThrow(/^Invalid configuration: SESSION_SECRET: required when DATABASE_URL is set[^\n]*$/);
    expect(loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: "postgres://db/roster", SESSION_SECRET: "s".repeat(32) }).encryptionKey)
      .toBe("s".repeat(32));
    expect(loadConfig({ DATA_DIR: dataDir() }).sessionSecret).toHaveLength(43);
  });

  it("parses rate limits, drain and statement timeout", () => {
    const c = loadConfig({ DATA_DIR: dataDir(), RATE_LIMIT_SIGNIN_PER_IP: "5/30s", RATE_LIMIT_SCIM_PER_TOKEN: "100/1h", SHUTDOWN_DRAIN_MS: "3000" });
    expect(c.rateLimits.signInPerIp).toEqual({ limit: 5, windowMs: 30_000 });
    expect(c.rateLimits.scimPerToken).toEqual({ limit: 100, windowMs: 3_600_000 });
    expect(c.rateLimits.signInPerEmail).toEqual({ limit: 10, windowMs: 900_000 });
    expect(c).toMatchObject({ shutdownDrainMs: 3000, dbStatementTimeoutMs: 5000 });
    expect(() => loadConfig({ DATA_DIR: dataDir(), RATE_LIMIT_SIGNIN_PER_EMAIL: "lots" })).toThrow(/RATE_LIMIT_SIGNIN_PER_EMAIL: must look like/);
  });

  it("sizes the PostgreSQL pool: 10 by default, DB_POOL_SIZE otherwise, a bad size refused at start", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).dbPoolSize).toBe(10);
    expect(loadConfig({ DATA_DIR: dataDir(), DB_POOL_SIZE: "6" }).dbPoolSize).toBe(6);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DB_POOL_SIZE: "0" })).toThrow(/DB_POOL_SIZE/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DB_POOL_SIZE: "ten" })).toThrow(/DB_POOL_SIZE/);
  });
});
