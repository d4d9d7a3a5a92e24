/**
 * Which contacts count as evidence, said once in SQL for the digest and the metrics API.
 *
 * - Only completed ones: an ad-hoc contact, or the outcome of a test that is still `completed`.
 * - Never the touchpoint owner's: not its owner's today, nor of anyone who owned it at any time between
 *   making the contact and recording it (a contact recorded with an old date is still the owner's).
 * - Ad-hoc contacts (no assignment) only where the organization counts them; they are shown apart otherwise.
 */

/**
 * True when the contact's tester owns, or owned when it was made or recorded, its touchpoint (aliases `o`, `t`).
 * Today's owner is a column; a former owner is looked up in one hash of (touchpoint, owner) pairs first, so
 * only their own contacts pay for the check of the dates.
 */
export const BY_OWNER = `(o.tester_id = t.owner_id
    OR ((o.touchpoint_id, o.tester_id) IN (SELECT touchpoint_id, owner_id FROM touchpoint_ownership
                                            WHERE owned_until IS NOT NULL)
        AND EXISTS (SELECT 1 FROM touchpoint_ownership h
                     WHERE h.touchpoint_id = o.touchpoint_id AND h.owner_id = o.tester_id
                       AND h.owned_from <= greatest(o.attempted_at, o.created_at)
                       AND (h.owned_until IS NULL OR h.owned_until > least(o.attempted_at, o.created_at)))))`;

export type ContactKind = 'counted' | 'ad_hoc' | 'owner';

/**
 * The completed contacts matching `where` (over `o` outcome, `t` touchpoint), as a subquery aliased `o`
 * with the touchpoint's `team` and `channel` and a `kind`: 'owner' (never counts), 'ad_hoc' (shown, not
 * counted: only when `countAdHoc` — an SQL boolean — is false) or 'counted'.
 */
export function completedContacts(where: string, countAdHoc: string): string {
  return `(SELECT o.*, t.team, t.channel,
                  CASE WHEN ${BY_OWNER} THEN 'owner'
                       WHEN o.assignment_id IS NULL AND NOT ${countAdHoc} THEN 'ad_hoc'
                       ELSE 'counted' END AS kind
             FROM outcome o JOIN touchpoint t ON t.id = o.touchpoint_id LEFT JOIN assignment a ON a.id = o.assignment_id
            WHERE (o.assignment_id IS NULL OR a.status = 'completed') AND ${where}) o`;
}
