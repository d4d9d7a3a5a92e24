import type { WeekPlan } from './planner/planner.js';

/** Weeks freed for a re-plan: how many unrevealed tests were withdrawn, and the slots that stay taken. */
export interface ReleasedWeeks {
  withdrawn: number;
  /** week start → touchpoint → slot numbers held by revealed, completed or missed tests. */
  taken: Map<string, Map<string, Set<number>>>;
}

/**
 * A week's fresh plan, cut to the slots a re-plan may fill: per touchpoint, k less the slots kept
 * by tests already revealed or done, renumbered onto the free slot numbers (placed windows first,
 * then unfilled slots). Without kept slots the plan is unchanged.
 */
export function fitToFreeSlots(
  plan: WeekPlan,
  taken: Map<string, Set<number>> | undefined,
  k: number | ((touchpointId: string) => number),
): WeekPlan {
  const countOf = typeof k === 'number' ? () => k : k;
  if (!taken || taken.size === 0) return plan;
  const free = new Map<string, number[]>();
  const freeOf = (touchpointId: string) => {
    if (!free.has(touchpointId)) {
      const used = taken.get(touchpointId) ?? new Set<number>();
      const numbers: number[] = [];
      for (let i = 0; numbers.length < countOf(touchpointId) - used.size; i++) if (!used.has(i)) numbers.push(i);
      free.set(touchpointId, numbers);
    }
    return free.get(touchpointId)!;
  };
  const next = <T extends { touchpointId: string; slot: number }>(entry: T): T | null => {
    const slots = freeOf(entry.touchpointId);
    return slots.length ? { ...entry, slot: slots.shift()! } : null;
  };
  const bySlot = <T extends { slot: number }>(xs: T[]) => [...xs].sort((a, b) => a.slot - b.slot);
  const assignments = bySlot(plan.assignments)
    .map(next)
    .filter((a) => a !== null);
  const unfilled = bySlot(plan.unfilled)
    .map(next)
    .filter((u) => u !== null);
  return { assignments, unfilled };
}
