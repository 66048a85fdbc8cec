/**
 * The SSO error family. `code` is the public reason class (`sso.<reason>`, shown on the error
 * page and in the audit event); `detail` is the internal reason (library message, expected vs
 * received) that goes to the audit metadata and the log, never to the browser.
 */
import { AppError } from "../src/errors";

export class SsoError extends AppError {
  constructor(code: string, status: number, message: string, readonly detail?: string, options?: { cause?: unknown }) {
    super(code, status, message, undefined, options);
  }
}

/** The browser flow was refused: no session, nothing created, an audit event with the reason. */
export class SsoRefusal extends SsoError {
  constructor(code: string, message: string, detail?: string, options?: { cause?: unknown; status?: number }) {
    super(code, options?.status ?? 403, message, detail, options);
  }
}

export const NO_ACCESS_MESSAGE = "Your administrator has not given you access to this organization.";

export const refuse = {
  connectionNotFound: () => new SsoRefusal("sso.connection_not_found", "This sign-in link is not valid.", undefined, { status: 404 }),
  noAccess: (code: string, detail?: string) => new SsoRefusal(code, NO_ACCESS_MESSAGE, detail),
  invalidResponse: (code: string, detail?: string, cause?: unknown) =>
    new SsoRefusal(code, "The sign-in response from your identity provider could not be accepted. Please try signing in again.", detail, { cause, status: 400 }),
  idpError: (detail?: string) =>
    new SsoRefusal("sso.idp_error", "Your identity provider did not sign you in. Please try again or contact your administrator.", detail, { status: 400 }),
  /** A refusal whose message tells the person what to change (e.g. which IdP setting). */
  withMessage: (code: string, message: string, detail?: string, status = 400) => new SsoRefusal(code, message, detail, { status }),
  expiredFlow: (code: string, detail?: string) =>
    new SsoRefusal(code, "This sign-in attempt has expired or was already used. Please start again.", detail, { status: 400 }),
};
