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
});
