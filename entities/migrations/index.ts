import { Initial1764320000000 } from "./1764320000000-Initial";
import { SsoInterop1764410000000 } from "./1764410000000-SsoInterop";

/** Every migration, in order. The same set runs on PostgreSQL and on the embedded PGlite. */
export const MIGRATIONS = [Initial1764320000000, SsoInterop1764410000000];
