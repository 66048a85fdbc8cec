/**
 * JSON over https to Google, with node:https so that the agent (trusted CAs) is the caller's:
 * Node's global agent in production (system CAs + NODE_EXTRA_CA_CERTS), an emulator-trusting
 * one in tests. There is no option to skip certificate checks, and plain http is refused.
 */
import { request, type Agent } from "node:https";
import { DirectoryReadError, READ_ERRORS } from "../errors";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

const TIMEOUT_MS = 30_000;
const MAX_BODY = 20 * 1024 * 1024;

export function httpsJson(url: string, opts: { agent?: Agent; method?: "GET" | "POST"; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  const u = new URL(url);
  if (u.protocol !== "https:") return Promise.reject(new DirectoryReadError(READ_ERRORS.network, `Refusing to call ${u.origin}: Google's APIs are reached over https only.`));
  return new Promise((resolve, reject) => {
    const req = request(u, {
      method: opts.method ?? "GET", agent: opts.agent, timeout: TIMEOUT_MS,
      headers: { accept: "application/json", ...(opts.body ? { "content-length": Buffer.byteLength(opts.body).toString() } : {}), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error("response too large"));
        else chunks.push(c);
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", (err) => reject(new DirectoryReadError(READ_ERRORS.network, `Could not reach ${u.origin}: ${err.message}`)));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
