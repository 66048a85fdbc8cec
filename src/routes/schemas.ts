/** Request shapes shared by several routes. */
import { z } from "zod";
import { CHATBOT_ACCESS, CHATBOT_SCOPES, ROLES } from "../../entities";
import { NotFoundError } from "../errors";
import { isUuid, parse } from "../http/validate";
import { emailSchema } from "../accounts/email-address";

export const roleField = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });
export const chatbotPermissionsField = z.array(z.object({
  chatbotId: z.string().uuid("must be a chatbot id"),
  access: z.enum(CHATBOT_ACCESS, { message: `must be one of ${CHATBOT_ACCESS.join(", ")}` }),
})).max(500);

/** The one email check of every route that takes an address a person typed (src/accounts/email-address.ts). */
export const emailField = emailSchema;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A chatbot's name: trimmed, 1–200 characters, one line. */
export const chatbotNameField = z.string().trim()
  .min(1, "is required").max(200, "can be at most 200 characters")
  .refine((s) => !CONTROL.test(s), "must be a single line without control characters");

export const chatbotScopeField = z.enum(CHATBOT_SCOPES, { message: "must be “all” or “selected”" });

/** ?query=&sort=&cursor=&limit= of a paged list; `paged` is false when none is given (the old, unpaged answer). */
export function pageQuery<S extends readonly [string, ...string[]]>(sorts: S, query: unknown) {
  const q = parse(z.object({
    query: z.string().max(200, "Search can be at most 200 characters").optional(),
    sort: z.enum(sorts, { message: `must be one of ${sorts.join(", ")}` }).optional(),
    cursor: z.string().max(4000).optional(),
    limit: z.coerce.number().int("must be a whole number").min(1).max(200).optional(),
  }), query, "query");
  const paged = q.query !== undefined || q.sort !== undefined || q.cursor !== undefined || q.limit !== undefined;
  return { paged, request: { query: q.query, sort: q.sort as S[number] | undefined, cursor: q.cursor, limit: q.limit ?? 50 } };
}

/** A path id that is not a UUID names nothing: 404, like an id of another org. */
export function pathId(value: unknown, what: string): string {
  if (!isUuid(value)) throw new NotFoundError(what);
  return value;
}
