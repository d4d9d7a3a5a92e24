import type { OrganizationSettings } from '../organizations/organization-settings.js';
import { DEFAULT_GAP, METRICS } from './metric-catalogue.js';

/** The settings in force: every default filled in. */
export interface EffectiveSettings {
  countAdHocInVerdicts: boolean;
  gapThatMatters: Record<string, number>;
  /** The organization's targets, only for the metrics it set one for (there is no default target). */
  targets: Record<string, number>;
}

export function effectiveSettings(stored: OrganizationSettings | null | undefined): EffectiveSettings {
  const overrides = stored?.gapThatMatters ?? {};
  const targets = stored?.targets ?? {};
  return {
    countAdHocInVerdicts: stored?.countAdHocInVerdicts === true,
    gapThatMatters: Object.fromEntries(
      METRICS.map((m) => [m.key, overrides[m.key] ?? m.gapThatMatters ?? DEFAULT_GAP[m.unit]]),
    ),
    // only catalogue metrics: a key left behind by a metric that was removed is not a target
    targets: Object.fromEntries(METRICS.flatMap((m) => (m.key in targets ? [[m.key, targets[m.key]]] : []))),
  };
}

/** Per metric values patched over stored ones: null removes a metric's value, undefined leaves it. */
function mergePerMetric(
  stored: Record<string, number> | undefined,
  patch: Record<string, number | null | undefined> | undefined,
): Record<string, number> {
  const merged: Record<string, number> = { ...(stored ?? {}) };
  for (const [metric, value] of Object.entries(patch ?? {})) {
    if (value === null) delete merged[metric];
    else if (value !== undefined) merged[metric] = value;
  }
  return merged;
}

/** A PATCH over the stored settings: a gap given as null goes back to the default, a target as null is removed. */
export function mergeSettings(
  stored: OrganizationSettings,
  patch: {
    countAdHocInVerdicts?: boolean;
    gapThatMatters?: Record<string, number | null | undefined>;
    targets?: Record<string, number | null | undefined>;
  },
): OrganizationSettings {
  const gaps = mergePerMetric(stored.gapThatMatters, patch.gapThatMatters);
  const targets = mergePerMetric(stored.targets, patch.targets);
  const countAdHoc = patch.countAdHocInVerdicts ?? stored.countAdHocInVerdicts;
  return {
    ...(countAdHoc === undefined ? {} : { countAdHocInVerdicts: countAdHoc }),
    ...(Object.keys(gaps).length ? { gapThatMatters: gaps } : {}),
    ...(Object.keys(targets).length ? { targets } : {}),
  };
}
