/**
 * When a touchpoint's owner may see a completed test of it: seven days after its window started.
 *
 * Why a delay: a campaign's spacing rule (up to 168 h between two tests of one touchpoint) means no
 * other test falls within that time of a test, so an owner who saw a test at once would know the next
 * hours are safe ("not the same day twice"), and the next test of that week more likely elsewhere —
 * a leak no draw can avoid while the rule holds. Seen seven days later, a test says nothing about the
 * tests still to come: every week is drawn afresh, and the spacing it imposed has run out. Measured by
 * src/campaigns/planner/unpredictability.spec.ts (and `npm run bench`), with and without this delay.
 */
export const OWNER_VIEW_DELAY_DAYS = 7;

const DAY = 86_400_000;

/** The moment a test with this window start becomes visible to the touchpoint's owner (once completed). */
export const ownerSeesFrom = (windowStart: number): number => windowStart + OWNER_VIEW_DELAY_DAYS * DAY;

/** The latest window start an owner may see at `now`. */
export const ownerSeesUpTo = (now: number): number => now - OWNER_VIEW_DELAY_DAYS * DAY;
