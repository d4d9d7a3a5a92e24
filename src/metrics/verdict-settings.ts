import type { OrganizationSettings } from '../organizations/organization-settings.js';
import { DEFAULT_GAP, METRICS } from './metric-catalogue.js';

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
