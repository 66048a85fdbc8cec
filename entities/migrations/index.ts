import { Initial1764320000000 } from "./1764320000000-Initial";
import { TrustBoundaries1764400000000 } from "./1764400000000-TrustBoundaries";
import { SsoInterop1764410000000 } from "./1764410000000-SsoInterop";
import { OutboxLeasesAndRateLimits1764420000000 } from "./1764420000000-OutboxLeasesAndRateLimits";
import { Directories1764430000000 } from "./1764430000000-Directories";
import { MemberCountsAndScimPositions1764440000000 } from "./1764440000000-MemberCountsAndScimPositions";
import { MemberScopeAndPaging1764450000000 } from "./1764450000000-MemberScopeAndPaging";
import { MemberSortKeys1764451000000 } from "./1764451000000-MemberSortKeys";
import { ChatbotNames1764460000000 } from "./1764460000000-ChatbotNames";
import { AccountsAndStaleMail1764470000000 } from "./1764470000000-AccountsAndStaleMail";
import { CheaperMemberSortKeys1764490000000 } from "./1764490000000-CheaperMemberSortKeys";
import { MemberTallies1764500000000 } from "./1764500000000-MemberTallies";
import { ScimPositionsOutOfRequests1764510000000 } from "./1764510000000-ScimPositionsOutOfRequests";
import { MembershipsFillfactor1764520000000 } from "./1764520000000-MembershipsFillfactor";

/** Every migration, in order. The same set runs on PostgreSQL and on the embedded PGlite. */
export const MIGRATIONS = [
  Initial1764320000000, TrustBoundaries1764400000000, SsoInterop1764410000000, OutboxLeasesAndRateLimits1764420000000, Directories1764430000000,
  MemberCountsAndScimPositions1764440000000, MemberScopeAndPaging1764450000000, MemberSortKeys1764451000000, ChatbotNames1764460000000, AccountsAndStaleMail1764470000000,
  CheaperMemberSortKeys1764490000000, MemberTallies1764500000000, ScimPositionsOutOfRequests1764510000000, MembershipsFillfactor1764520000000,
];
