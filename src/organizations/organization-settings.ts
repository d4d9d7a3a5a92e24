import { DEFAULT_GAP, METRICS } from '../metrics/metric-catalogue.js';

/** What an organization decides about its verdicts; stored as given (only what differs from the defaults). */
export interface OrganizationSettings {
  /** Ad-hoc contacts (recorded without an assignment) count in verdicts; by default only planned tests do. */
  countAdHocInVerdicts?: boolean;
  /** Per metric, the gap that matters (metric unit), in place of the catalogue's default. */
  gapThatMatters?: Record<string, number>;
}

/** The settings in force: every default filled in. */
export interface EffectiveSettings {
  countAdHocInVerdicts: boolean;
  gapThatMatters: Record<string, number>;
}

export function effectiveSettings(stored: OrganizationSettings | null | undefined): EffectiveSettings {
  const overrides = stored?.gapThatMatters ?? {};
  return {
    countAdHocInVerdicts: stored?.countAdHocInVerdicts === true,
    gapThatMatters: Object.fromEntries(
      METRICS.map((m) => [m.key, overrides[m.key] ?? m.gapThatMatters ?? DEFAULT_GAP[m.unit]]),
    ),
  };
}

/** A PATCH over the stored settings: a gap given as null goes back to the default. */
export function mergeSettings(
  stored: OrganizationSettings,
  patch: { countAdHocInVerdicts?: boolean; gapThatMatters?: Record<string, number | null | undefined> },
): OrganizationSettings {
  const gaps: Record<string, number> = { ...(stored.gapThatMatters ?? {}) };
  for (const [metric, gap] of Object.entries(patch.gapThatMatters ?? {})) {
    if (gap === null) delete gaps[metric];
    else if (gap !== undefined) gaps[metric] = gap;
  }
  const countAdHoc = patch.countAdHocInVerdicts ?? stored.countAdHocInVerdicts;
  return {
    ...(countAdHoc === undefined ? {} : { countAdHocInVerdicts: countAdHoc }),
    ...(Object.keys(gaps).length ? { gapThatMatters: gaps } : {}),
  };
}
