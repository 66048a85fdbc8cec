/**
 * Reads of the Admin SDK Directory API with Google's paging and retry rules: every page is
 * fetched (pageToken/nextPageToken until absent), 429, rate-limit 403s and 5xx are retried with
 * exponential backoff honouring Retry-After, and anything else stops the read with an error.
 * A failed page is never "no more users": callers get an exception, not a short list.
 */
import type { Agent } from "node:https";
import { DirectoryReadError, READ_ERRORS } from "../errors";
import { httpsJson, type HttpAnswer } from "./http";

export interface RetryPolicy { attempts: number; baseMs: number; maxWaitMs: number }
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxWaitMs: 60_000 };

const RATE_LIMIT_REASONS = new Set(["userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"]);

interface GoogleErrorBody { error?: { code?: number; message?: string; errors?: Array<{ reason?: string }> } }

const reasonOf = (a: HttpAnswer) => (a.json as GoogleErrorBody | null)?.error?.errors?.[0]?.reason ?? "";
const messageOf = (a: HttpAnswer) => (a.json as GoogleErrorBody | null)?.error?.message ?? `HTTP ${a.status}`;

function retryable(a: HttpAnswer): boolean {
  return a.status === 429 || a.status >= 500 || (a.status === 403 && RATE_LIMIT_REASONS.has(reasonOf(a)));
}

/** Seconds (or an HTTP date) from Retry-After, else exponential backoff with jitter. */
export function waitMs(a: HttpAnswer, attempt: number, policy: RetryPolicy, nowMs: number): number {
  const h = a.headers["retry-after"];
  const v = Array.isArray(h) ? h[0] : h;
  if (v !== undefined) {
    const secs = Number(v);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(v);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return policy.baseMs * 2 ** attempt * (1 + Math.random() * 0.25);
}

function failure(a: HttpAnswer, path: string): DirectoryReadError {
  const msg = messageOf(a);
  if (a.status === 401) return new DirectoryReadError(READ_ERRORS.auth, `Google no longer accepts Roster's access token (${msg}); check the service account or reconnect.`, 401);
  if (a.status === 403 && RATE_LIMIT_REASONS.has(reasonOf(a))) return new DirectoryReadError(READ_ERRORS.rateLimited, `Google kept rate-limiting the directory reads (${msg}).`, 403);
  if (a.status === 403) return new DirectoryReadError(READ_ERRORS.forbidden, `Google refused to list the directory (${msg}): the admin Roster acts as needs the right to read users and groups.`, 403);
  if (a.status === 429) return new DirectoryReadError(READ_ERRORS.rateLimited, `Google kept rate-limiting the directory reads (${msg}).`, 429);
  if (a.status >= 500) return new DirectoryReadError(READ_ERRORS.unavailable, `Google's Directory API did not answer ${path} after retries (${a.status} ${msg}).`, a.status);
  return new DirectoryReadError(READ_ERRORS.badResponse, `Google answered ${a.status} to ${path}: ${msg}`, a.status);
}

export interface ApiOptions {
  apiRoot: string;
  token: string;
  agent?: Agent;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class DirectoryApi {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  requests = 0;
  constructor(private readonly opts: ApiOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.sleep = opts.sleep ?? ((ms) => new Promise((ok) => setTimeout(ok, ms)));
  }

  async get(path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const url = new URL(`${this.opts.apiRoot.replace(/\/+$/, "")}/admin/directory/v1${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    for (let attempt = 0; ; attempt++) {
      this.requests++;
      const a = await httpsJson(url.toString(), { agent: this.opts.agent, headers: { authorization: `Bearer ${this.opts.token}` } });
      if (a.status === 200) {
        if (!a.json || typeof a.json !== "object") throw new DirectoryReadError(READ_ERRORS.badResponse, `Google answered ${path} with something that is not JSON.`);
        return a.json as Record<string, unknown>;
      }
      if (!retryable(a) || attempt + 1 >= this.retry.attempts) throw failure(a, path);
      const wait = waitMs(a, attempt, this.retry, this.opts.now?.() ?? Date.now());
      if (wait > this.retry.maxWaitMs) throw failure(a, path);
      await this.sleep(wait);
    }
  }

  /** Every item of a paged list (`key` is "users", "groups" or "members"; absent means none). */
  async all<T>(path: string, params: Record<string, string>, key: string): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.get(path, { ...params, ...(pageToken ? { pageToken } : {}) });
      const items = page[key];
      if (items !== undefined && !Array.isArray(items)) throw new DirectoryReadError(READ_ERRORS.badResponse, `Google's ${path} answer has a "${key}" that is not a list.`);
      out.push(...((items ?? []) as T[]));
      const next = page.nextPageToken;
      if (next !== undefined && (typeof next !== "string" || seen.has(next))) throw new DirectoryReadError(READ_ERRORS.badResponse, `Google's ${path} paging did not advance.`);
      pageToken = next as string | undefined;
      if (pageToken) seen.add(pageToken);
    } while (pageToken);
    return out;
  }
}
