import { Initial1764320000000 } from "./1764320000000-Initial";
import { TrustBoundaries1764400000000 } from "./1764400000000-TrustBoundaries";
import { SsoInterop1764410000000 } from "./1764410000000-SsoInterop";
import { OutboxLeasesAndRateLimits1764420000000 } from "./1764420000000-OutboxLeasesAndRateLimits";
import { Directories1764430000000 } from "./1764430000000-Directories";
import { MemberCountsAndScimPositions1764440000000 } from "./1764440000000-MemberCountsAndScimPositions";

/** Every migration, in order. The same set runs on PostgreSQL and on the embedded PGlite. */
export const MIGRATIONS = [
  Initial1764320000000, TrustBoundaries1764400000000, SsoInterop1764410000000, OutboxLeasesAndRateLimits1764420000000, Directories1764430000000,
  MemberCountsAndScimPositions1764440000000,
];
