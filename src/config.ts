/**
 * Configuration: read once from the environment, validated, typed. Nothing else reads process.env.
 * Every problem is reported at once, each naming its variable.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const WINDOW_UNITS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

export interface RateLimitSetting { limit: number; windowMs: number }
const rateLimit = z.string().regex(/^\d{1,9}\/\d{1,6}[smh]$/, "must look like 100/15m (count/window, window in s, m or h)")
  .transform((v): RateLimitSetting => {
    const [n, w] = v.split("/");
    return { limit: Number(n), windowMs: Number(w.slice(0, -1)) * WINDOW_UNITS[w.slice(-1) as keyof typeof WINDOW_UNITS] };
  });

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** SAML ACS, OIDC redirect_uri, SCIM base and invitation links are built from this. */
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** PostgreSQL; absent means the embedded database under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://").optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  /** smtp:// or smtps://; absent means mail stays in the outbox and is logged. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional(),
  MAIL_FROM: z.string().min(3).default("Roster <no-reply@roster.localhost>"),
  /** Signs nothing by itself (sessions are random ids); it keys encryption of SSO secrets unless ENCRYPTION_KEY is set. */
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ENCRYPTION_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /**
   * Express "trust proxy": false, true, a hop count, or a list of addresses. Required behind a load
   * balancer: without it every client has the balancer's IP, and per-IP limits lump them together.
   */
  TRUST_PROXY: z.string().default("false"),
  /** OAuth client for "Connect Google Workspace" (Google Cloud console → Credentials); both or neither. */
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  /** After SIGTERM: how long in-flight requests and the mail dispatcher get before the process exits. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(8000),
  /** PostgreSQL statement_timeout for every query (the client gives up 1 s later if the server is frozen). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** PostgreSQL connections per instance (node-postgres's default; README: Benchmark for sizing). */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /** Rate limits, "N/window" (window in s, m or h), shared by every instance through the database. */
  RATE_LIMIT_SIGNIN_PER_IP: rateLimit.prefault("100/15m"),
  RATE_LIMIT_SIGNIN_PER_EMAIL: rateLimit.prefault("10/15m"),
  RATE_LIMIT_INVITATION_PER_IP: rateLimit.prefault("60/1m"),
  RATE_LIMIT_SCIM_PER_TOKEN: rateLimit.prefault("6000/1m"),
  RATE_LIMIT_SCIM_FAILED_AUTH_PER_IP: rateLimit.prefault("60/1m"),
  RATE_LIMIT_PASSWORD_RESET_PER_IP: rateLimit.prefault("20/15m"),
  RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: rateLimit.prefault("3/15m"),
  RATE_LIMIT_SSO_DISCOVERY_PER_IP: rateLimit.prefault("60/1m"),
  RATE_LIMIT_SSO_CALLBACK_PER_IP: rateLimit.prefault("300/1m"),
});

export interface Config {
  port: number;
  baseUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  sessionSecret: string;
  encryptionKey: string;
  logLevel: (typeof LOG_LEVELS)[number];
  trustProxy: boolean | number | string;
  shutdownDrainMs: number;
  /** PostgreSQL only: statement_timeout; the client-side query timeout is 1 s more. */
  dbStatementTimeoutMs: number;
  /** PostgreSQL only: connections in this instance's pool. */
  dbPoolSize: number;
  rateLimits: {
    signInPerIp: RateLimitSetting; signInPerEmail: RateLimitSetting; invitationPerIp: RateLimitSetting;
    scimPerToken: RateLimitSetting; scimFailedAuthPerIp: RateLimitSetting;
    /** Reset requests and reset-link checks per client IP (counted apart); reset emails per address. */
    passwordResetPerIp: RateLimitSetting; passwordResetPerEmail: RateLimitSetting;
    ssoDiscoveryPerIp: RateLimitSetting; ssoCallbackPerIp: RateLimitSetting;
  };
  /** Cookies get `Secure` when BASE_URL is https. */
  secureCookies: boolean;
  /**
   * Test wiring only, never read from the environment: lets OIDC connections use an http://
   * issuer on a loopback address (127.0.0.1, ::1, localhost). Production requires https.
   */
  ssoAllowInsecureLoopbackIssuers: boolean;
  /**
   * Google OAuth for directory connections; absent when GOOGLE_CLIENT_ID/SECRET are not set.
   * authUrl/tokenUrl are Google's; only test wiring points them at an emulator.
   */
  googleOAuth: { clientId: string; clientSecret: string; authUrl: string; tokenUrl: string } | undefined;
  /** Test wiring only: issuers that get Google's `hd` rule (default: https://accounts.google.com). */
  ssoGoogleIssuers?: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === "true") return true;
  if (v === "false" || v === "") return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/** SESSION_SECRET absent: generate one on first start and keep it under DATA_DIR. */
function sessionSecretFromDataDir(dataDir: string): string {
  const file = join(dataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const c = parsed.data;
  if (!!c.GOOGLE_CLIENT_ID !== !!c.GOOGLE_CLIENT_SECRET) {
    throw new ConfigError([`${c.GOOGLE_CLIENT_ID ? "GOOGLE_CLIENT_SECRET" : "GOOGLE_CLIENT_ID"}: is required when the other is set`]);
  }
  if (c.DATABASE_URL && !c.SESSION_SECRET) {
    // Each instance would invent its own, and secrets encrypted by one could not be read by another.
    throw new ConfigError(["SESSION_SECRET: required when DATABASE_URL is set (the same value on every instance; at least 32 characters)"]);
  }
  const dataDir = resolve(c.DATA_DIR);
  const baseUrl = (c.BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, "");
  const sessionSecret = c.SESSION_SECRET ?? sessionSecretFromDataDir(dataDir);
  return {
    port: c.PORT,
    baseUrl,
    databaseUrl: c.DATABASE_URL,
    dataDir,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    sessionSecret,
    encryptionKey: c.ENCRYPTION_KEY ?? sessionSecret,
    logLevel: c.LOG_LEVEL,
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    shutdownDrainMs: c.SHUTDOWN_DRAIN_MS,
    dbStatementTimeoutMs: c.DB_STATEMENT_TIMEOUT_MS,
    dbPoolSize: c.DB_POOL_SIZE,
    rateLimits: {
      signInPerIp: c.RATE_LIMIT_SIGNIN_PER_IP, signInPerEmail: c.RATE_LIMIT_SIGNIN_PER_EMAIL,
      invitationPerIp: c.RATE_LIMIT_INVITATION_PER_IP, scimPerToken: c.RATE_LIMIT_SCIM_PER_TOKEN,
      scimFailedAuthPerIp: c.RATE_LIMIT_SCIM_FAILED_AUTH_PER_IP,
      passwordResetPerIp: c.RATE_LIMIT_PASSWORD_RESET_PER_IP, passwordResetPerEmail: c.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL,
      ssoDiscoveryPerIp: c.RATE_LIMIT_SSO_DISCOVERY_PER_IP, ssoCallbackPerIp: c.RATE_LIMIT_SSO_CALLBACK_PER_IP,
    },
    secureCookies: baseUrl.startsWith("https://"),
    ssoAllowInsecureLoopbackIssuers: false,
    googleOAuth: c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET ? {
      clientId: c.GOOGLE_CLIENT_ID, clientSecret: c.GOOGLE_CLIENT_SECRET,
      authUrl: "https://accounts.google.com/o/oauth2/v2/auth", tokenUrl: "https://oauth2.googleapis.com/token",
    } : undefined,
  };
}
