import { Initial1764320000000 } from "./1764320000000-Initial";
import { OutboxLeasesAndRateLimits1764420000000 } from "./1764420000000-OutboxLeasesAndRateLimits";

/** Every migration, in order. The same set runs on PostgreSQL and on the embedded PGlite. */
export const MIGRATIONS = [Initial1764320000000, OutboxLeasesAndRateLimits1764420000000];
