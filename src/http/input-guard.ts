/**
 * Text PostgreSQL cannot store never reaches a service: a NUL byte (text and jsonb refuse it) or a
 * lone UTF-16 surrogate (not a character at all) anywhere in the query string or the parsed body,
 * keys included, is a 400 naming the field. The walk is iterative: a deeply nested JSON body
 * cannot overflow the stack.
 */
import type { RequestHandler } from "express";
import { ValidationError } from "../errors";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` is text PostgreSQL can store (no NUL, well-formed UTF-16). */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && !LONE_SURROGATE.test(s);
}

/** The path of the first string (value or key) in `value` that is not storable text, if any. */
export function findUnstorableText(value: unknown, root: string): string | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (!isStorableText(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}[${i}]`]));
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (!isStorableText(k)) return path;
        stack.push([x, path ? `${path}.${k}` : k]);
      }
    }
  }
  return undefined;
}

export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  const bad = findUnstorableText(req.query, "query") ?? findUnstorableText(req.body, "");
  if (bad === undefined) return next();
  next(new ValidationError([{ field: bad || "(body)", message: "contains a NUL character or invalid Unicode" }]));
};
