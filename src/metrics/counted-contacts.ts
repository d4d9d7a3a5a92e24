import { EMPTY_SUMS, metricAggregates, METRICS, sumsOf } from './metric-catalogue.js';
import type { MetricDefinition, MetricSums } from './metric-catalogue.js';

/**
 * Which contacts count as evidence, and what is measured over them (the metric projection), said once in SQL
 * for the digest and the metrics API.
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

/**
 * The metric projection of a group of contacts (over the subquery `o` of completedContacts): how many, how
 * many of them ad hoc, and every catalogue metric's aggregates. Read a row of it back with projectionOf.
 */
export const METRIC_PROJECTION = [
  'count(*)::int AS contacts',
  'count(*) FILTER (WHERE o.assignment_id IS NULL)::int AS ad_hoc',
  ...METRICS.map((m, i) => metricAggregates(m, `m${i}_`)),
].join(',\n       ');

/** One group's row of METRIC_PROJECTION, typed. */
export interface ContactsProjection {
  contacts: number;
  adHoc: number;
  /** Every catalogue metric's sums, by metric key. */
  sums: Readonly<Record<string, MetricSums>>;
}

export function projectionOf(row: Record<string, unknown>): ContactsProjection {
  return {
    contacts: Number(row.contacts ?? 0),
    adHoc: Number(row.ad_hoc ?? 0),
    sums: Object.fromEntries(METRICS.map((m, i) => [m.key, sumsOf(row, `m${i}_`)])),
  };
}

/** A metric's sums in a group, none when the group had no contacts. */
export const sumsIn = (group: ContactsProjection | undefined, metric: MetricDefinition): MetricSums =>
  group?.sums[metric.key] ?? EMPTY_SUMS;
