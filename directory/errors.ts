/**
 * Errors of the directory feature. A read failure (Google said no, or did not answer) never
 * becomes deletions: the sync stops with nothing applied and records `code` and the message,
 * which are written for an admin ("Google refused the service account: …").
 */
import { AppError, ConflictError } from "../src/errors";

export const READ_ERRORS = {
  auth: "directory.auth_failed",
  forbidden: "directory.forbidden",
  unavailable: "directory.unavailable",
  rateLimited: "directory.rate_limited",
  badResponse: "directory.bad_response",
  network: "directory.unreachable",
} as const;
export type ReadErrorCode = (typeof READ_ERRORS)[keyof typeof READ_ERRORS];

export class DirectoryReadError extends Error {
  constructor(readonly code: ReadErrorCode, message: string, readonly status?: number) {
    super(message);
    this.name = "DirectoryReadError";
  }
}

export class SyncRunningError extends ConflictError {
  constructor() {
    super("directory.sync_running", "A sync of this directory is already running (on this or another Roster instance); try again when it ends.");
  }
}

export class NothingHeldError extends ConflictError {
  constructor() {
    super("directory.nothing_held", "This directory has no held sync to confirm.");
  }
}

export class DirectoryExistsError extends ConflictError {
  constructor() {
    super("directory.exists", "This organization already has a directory connection; delete it first.");
  }
}

export class OAuthNotConfiguredError extends AppError {
  constructor() {
    super("directory.oauth_not_configured", 400, "Connecting with Google sign-in needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET on the server; use a service-account key instead.");
  }
}
