/**
 * Why a test is withdrawn (cancelled), and the one rule of who may still act on a test: the
 * tester holds the tester role, is in the campaign's pool, is not the touchpoint's owner (unless
 * the campaign allows self-tests), and the touchpoint is still one the campaign tests.
 */

export const CANCEL_REASONS = [
  'tester_lost_role',
  'tester_left_campaign',
  'touchpoint_left_campaign',
  'tester_became_owner',
  'campaign_shortened',
  'not_revealed_in_time',
  'replanned',
  'cancelled_by_staff',
  'unrecorded',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** What the quality team reads beside a cancelled test. */
export const CANCEL_EXPLANATIONS: Record<CancelReason, string> = {
  tester_lost_role: 'the tester no longer holds the tester role',
  tester_left_campaign: "the tester is no longer in the campaign's pool",
  touchpoint_left_campaign: 'the touchpoint is no longer part of the campaign',
  tester_became_owner: "the tester is now the touchpoint's owner, and the campaign does not allow self-tests",
  campaign_shortened: "the campaign's dates changed and the window now lies outside them",
  not_revealed_in_time: 'the window began before the test could be revealed (the service was down)',
  replanned: 'the week was re-planned before this test was revealed',
  cancelled_by_staff: 'cancelled by the quality team or an admin',
  unrecorded: 'cancelled before reasons were recorded',
};

/** What the tester is told: the same reasons, addressed to them. */
export const TESTER_EXPLANATIONS: Record<CancelReason, string> = {
  tester_lost_role: 'you no longer hold the tester role',
  tester_left_campaign: "you are no longer in this campaign's pool of testers",
  touchpoint_left_campaign: 'this touchpoint is no longer part of the campaign',
  tester_became_owner: 'you are now the owner of this touchpoint, and owners do not test their own touchpoints',
  campaign_shortened: 'the campaign now ends (or starts) so that this test falls outside it',
  not_revealed_in_time: 'it could not be sent to you in time',
  replanned: 'the week was planned again',
  cancelled_by_staff: 'the quality team cancelled it',
  unrecorded: 'it was cancelled',
};

/** The slot still belongs to the campaign: another tester may take it (time allowing). */
const REFILLED: ReadonlySet<CancelReason> = new Set([
  'tester_lost_role',
  'tester_left_campaign',
  'tester_became_owner',
]);

/**
 * Whether a withdrawn test's window is offered to another tester. Never when the tester is now the
 * touchpoint's owner and knew the window (revealed, or held in their calendar): the new owner would
 * know when their touchpoint is tested.
 */
export function refillsSlot(reason: CancelReason, testerKnewWindow: boolean): boolean {
  return REFILLED.has(reason) && !(reason === 'tester_became_owner' && testerKnewWindow);
}

/** What caused a withdrawal: a person's request (by) through a route, or a job (by null). */
export const CANCEL_CAUSES = [
  'campaign_edit',
  'person_edit',
  'touchpoint_edit',
  'replan',
  'cancel_route',
  'hold_job',
  'reveal_job',
  'remind_job',
  'outcome_api',
  'outcome_link',
  'decline_api',
  'decline_link',
] as const;
export type CancelCause = (typeof CANCEL_CAUSES)[number];

export interface CancelledBy {
  /** The person whose request caused it; null for a job or a tester's link. */
  personId: string | null;
  cause: CancelCause;
}

/** The joins INELIGIBILITY needs around `assignment a`. */
export const ELIGIBILITY_JOINS = `JOIN campaign c ON c.id = a.campaign_id
    JOIN touchpoint t ON t.id = a.touchpoint_id
    JOIN person p ON p.id = a.tester_id`;

/**
 * SQL: whether a campaign's selection takes touchpoint t: by id when it names any, else by team and
 * channels (either left out takes all). The arguments are SQL for the ids (uuid[]), team and channels
 * (text[]): a campaign's columns, or parameters. The one rule planning and the re-checks share.
 */
export function selectsTouchpoint(ids: string, team: string, channels: string): string {
  return `CASE WHEN cardinality(${ids}) > 0 THEN t.id = ANY(${ids})
      ELSE (${team} IS NULL OR t.team = ${team})
           AND (cardinality(${channels}) = 0 OR t.channel = ANY(${channels})) END`;
}

/** Whether campaign c still tests touchpoint t. */
const TOUCHPOINT_SELECTED = `COALESCE(${selectsTouchpoint('c.touchpoint_ids', 'c.team', 'c.channels')}, false)`;

/**
 * Why assignment a's tester may no longer act on it, or NULL when they may (SQL over
 * ELIGIBILITY_JOINS). A touchpoint gone from the campaign comes first: then the slot is gone too.
 * Dates are checked where they change (a campaign edit), with each touchpoint's own zone.
 */
export const INELIGIBILITY = `CASE
    WHEN NOT ${TOUCHPOINT_SELECTED} THEN 'touchpoint_left_campaign'
    WHEN NOT ('tester' = ANY(p.roles)) THEN 'tester_lost_role'
    WHEN NOT (a.tester_id = ANY(c.tester_ids)) THEN 'tester_left_campaign'
    WHEN t.owner_id = a.tester_id AND NOT c.allow_owner_self_test THEN 'tester_became_owner'
  END`;
