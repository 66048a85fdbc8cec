/** Request shapes shared by several routes. */
import { z } from "zod";
import { CHATBOT_ACCESS, ROLES } from "../../entities";
import { NotFoundError } from "../errors";
import { isUuid } from "../http/validate";

export const roleField = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });
export const chatbotPermissionsField = z.array(z.object({
  chatbotId: z.string().uuid("must be a chatbot id"),
  access: z.enum(CHATBOT_ACCESS, { message: `must be one of ${CHATBOT_ACCESS.join(", ")}` }),
})).max(500);

/** A path id that is not a UUID names nothing: 404, like an id of another org. */
export function pathId(value: unknown, what: string): string {
  if (!isUuid(value)) throw new NotFoundError(what);
  return value;
}
