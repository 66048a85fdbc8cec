/** Request shapes shared by several routes. */
import { z } from "zod";
import { CHATBOT_ACCESS, ROLES } from "../../entities";
import { NotFoundError } from "../errors";
import { isUuid } from "../http/validate";
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

/** A path id that is not a UUID names nothing: 404, like an id of another org. */
export function pathId(value: unknown, what: string): string {
  if (!isUuid(value)) throw new NotFoundError(what);
  return value;
}
