import { ConflictError, ForbiddenError } from "../errors";

export class LastOwnerError extends ConflictError {
  constructor() {
    super("member.last_owner", "An organization must keep at least one active Owner; make someone else Owner first.");
  }
}
export class ManagedByIdpError extends ConflictError {
  constructor() {
    super("member.managed_by_idp", "This member is managed by your identity provider (SCIM); change them there.");
  }
}
export class OwnerRequiredError extends ForbiddenError {
  constructor(field = "role") {
    super("member.owner_required", "Only an Owner can grant or take away the Owner role, or remove an Owner.", { field });
  }
}
