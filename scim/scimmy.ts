/**
 * scimmy is a process-wide singleton (config, declared resources). Configure it once, whatever
 * number of apps a process creates (tests create many). We use it for input coercion, filter
 * parsing and the discovery endpoints; the tenant never lives here (it comes from the token).
 */
import SCIMMY from "scimmy";

export { SCIMMY };
export const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** The largest page we serve; a bigger `count` is cut to this (RFC 7644 §3.4.2.4 allows it). */
export const MAX_RESULTS = 1000;
export const DEFAULT_COUNT = 100;

let declared = false;

export function declareResources(): void {
  if (declared) return;
  declared = true;
  if (!SCIMMY.Resources.declared("User")) SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false));
  if (!SCIMMY.Resources.declared("Group")) SCIMMY.Resources.declare(SCIMMY.Resources.Group);
}

/**
 * ServiceProviderConfig must advertise only what we implement. SCIMMYRouters' constructor sets
 * bulk/sort on and appends an auth scheme each time it runs, so this runs after every construction.
 */
export function advertiseServiceProvider(docUri: string): void {
  SCIMMY.Config.set({ authenticationSchemes: [] });
  SCIMMY.Config.set({
    documentationUri: docUri,
    patch: true,
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 102400 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: false,
    sort: true,
    etag: false,
    authenticationSchemes: [{
      type: "oauthbearertoken", name: "OAuth Bearer Token", primary: true,
      description: "A token created with `roster scim-token create` or the settings API, sent as Authorization: Bearer <token>.",
      specUri: "https://datatracker.ietf.org/doc/html/rfc6750",
    }],
  });
}
