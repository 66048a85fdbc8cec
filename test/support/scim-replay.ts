/**
 * Replays the two public peer suites in jest through supertest (newman is not installed):
 * Okta's SCIM 2.0 SPEC test (Runscope export: requests + assertions) and Microsoft's
 * SCIMReferenceCode Postman collection (requests + pm.test scripts, run against a minimal pm API).
 */
import { readFileSync } from "node:fs";
import request from "supertest";
import type { Express } from "express";

const SUITES = "/work/shared/peer-suites/scim";
export const loadJson = (rel: string) => JSON.parse(readFileSync(`${SUITES}/${rel}`, "utf8"));

export interface Exchange { status: number; text: string; json: any; headers: Record<string, string> }

export async function send(app: Express, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Exchange> {
  let req = (request(app) as any)[method.toLowerCase()](path) as request.Test;
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  const r = body !== undefined && body !== "" ? await req.send(body) : await req;
  let json: unknown;
  try { json = JSON.parse(r.text); } catch { json = undefined; }
  return { status: r.status, text: r.text ?? "", json, headers: r.headers as Record<string, string> };
}

export const fill = (s: string, vars: Record<string, string>) => s.replace(/\{\{([^}]+)\}\}/g, (m, k) => (k in vars ? vars[k] : m));

/** `Resources[0].name.familyName` → value */
export function prop(obj: unknown, path: string): unknown {
  return path.split(".").flatMap((p) => p.split(/\[(\d+)\]/).filter(Boolean)).reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);
}

/** A failed check, with the suite's own name for it. */
export interface Failure { step: string; check: string; detail: string }

/** Okta's Runscope assertion comparisons. `response_time` is not asserted here: no timing assertions in tests. */
export function oktaAssert(step: string, a: { comparison: string; source: string; property?: string; value: string | null }, ex: Exchange, vars: Record<string, string>, out: Failure[]): void {
  if (a.source === "response_time") return;
  const actual = a.source === "response_status" ? ex.status : prop(ex.json, a.property ?? "");
  const expected = a.value === null ? null : fill(a.value, vars);
  const ok = (() => {
    switch (a.comparison) {
      case "equal_number": return Number(actual) === Number(expected);
      case "equal": return String(actual) === expected;
      case "not_empty": return actual !== undefined && actual !== null && actual !== "" && !(Array.isArray(actual) && actual.length === 0);
      case "has_value": case "contains": return Array.isArray(actual) ? actual.includes(expected) : String(actual).includes(String(expected));
      case "is_a_number": return typeof actual === "number";
      default: return false;
    }
  })();
  if (!ok) out.push({ step, check: `${a.comparison} ${a.property ?? a.source} ${expected ?? ""}`, detail: `got ${JSON.stringify(actual)} (${ex.status} ${ex.text.slice(0, 200)})` });
}

/** Runs one Postman test script with the parts of `pm` the collection uses; failures are collected, not thrown. */
export function runPostmanScript(step: string, script: string, ex: Exchange, env: Record<string, string>, out: Failure[]): void {
  const chai = (actual: unknown, negate = false) => {
    const check = (ok: boolean, what: string) => { if (ok === negate) throw new Error(`expected ${JSON.stringify(actual)?.slice(0, 200)} ${negate ? "not " : ""}${what}`); };
    const api: any = {
      eql: (v: unknown) => check(JSON.stringify(actual) === JSON.stringify(v), `to eql ${JSON.stringify(v)}`),
      include: (v: string) => check(String(actual).includes(v), `to include ${v}`),
    };
    api.to = api;
    api.be = api;
    if (!negate) api.not = chai(actual, true);
    return api;
  };
  const response = {
    json: () => ex.json, text: () => ex.text,
    to: { have: { status: (n: number) => { if (ex.status !== n) throw new Error(`expected status ${n}, got ${ex.status}: ${ex.text.slice(0, 200)}`); } } },
  };
  const pm = {
    test: (name: string, fn: () => void) => { try { fn(); } catch (e) { out.push({ step, check: name, detail: (e as Error).message }); } },
    expect: (v: unknown) => chai(v), response,
    environment: { set: (k: string, v: unknown) => { env[k] = String(v); }, get: (k: string) => env[k] },
  };
  const postman = { setEnvironmentVariable: (k: string, v: unknown) => { env[k] = String(v); } };
  try {
    new Function("pm", "postman", "responseBody", script)(pm, postman, ex.text);
  } catch (e) {
    out.push({ step, check: "script", detail: (e as Error).message });
  }
}
