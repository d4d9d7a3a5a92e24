/**
 * What an organization decides about its verdicts, as stored (only what differs from the defaults). What they
 * mean, with the defaults filled in, is src/metrics/verdict-settings.ts: the defaults come from the metric catalogue.
 */
export interface OrganizationSettings {
  /** Ad-hoc contacts (recorded without an assignment) count in verdicts; by default only planned tests do. */
  countAdHocInVerdicts?: boolean;
  /** Per metric, the gap that matters (metric unit), in place of the catalogue's default. */
  gapThatMatters?: Record<string, number>;
  /** Per metric, the organization's own target (metric unit): the digest flags unclaimed facts worse than it. */
  targets?: Record<string, number>;
}
