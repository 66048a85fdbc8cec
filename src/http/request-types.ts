import type { Membership, Organization, Session, User } from "../../entities";
import type { Subject } from "../auth/permissions";

export interface OrgAccess {
  org: Organization;
  membership: Membership;
  subject: Subject;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: { session: Session; user: User; cookie: string };
      member?: OrgAccess;
    }
  }
}
export {};
