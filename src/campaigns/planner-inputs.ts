import { unplannableTester, unplannableTouchpoint } from './plannable-rows.js';
import type { ExistingAssignment, PlannerScenario, PlannerTester, PlannerTouchpoint } from './planner/planner.js';

const DAY = 86_400_000;

/**
 * What the planner reads, as CampaignsRepository.plannerInputs loads it for a plan and for a re-fill:
 * the rows as the JSON text PostgreSQL built (a plan's worker parses thousands of them off the event
 * loop), and the scenarios.
 */
export interface PlannerInputsJson {
  /** PlannerTouchpoint[] */
  touchpointsJson: string;
  /** PlannerTester[]: the campaign's pool, less anyone who no longer holds the tester role. */
  testersJson: string;
  /** ExistingAssignment[]: the organization's live bookings around the planned windows. */
  existingJson: string;
  scenarios: PlannerScenario[];
}

export interface PlannerInputs {
  touchpoints: PlannerTouchpoint[];
  testers: PlannerTester[];
  existing: ExistingAssignment[];
  scenarios: PlannerScenario[];
}

export function parsePlannerInputs(json: PlannerInputsJson): PlannerInputs {
  return {
    touchpoints: JSON.parse(json.touchpointsJson) as PlannerTouchpoint[],
    testers: JSON.parse(json.testersJson) as PlannerTester[],
    existing: JSON.parse(json.existingJson) as ExistingAssignment[],
    scenarios: json.scenarios,
  };
}

/**
 * The bookings a plan of windows starting in [first, last) must see: caps, spacing and rotation reach
 * back and ahead by the rotation period and a week or so.
 */
export function bookingsAround(first: number, last: number, rotationDays: number): { from: Date; to: Date } {
  const margin = (rotationDays + 8) * DAY;
  return { from: new Date(first - margin), to: new Date(last + margin) };
}

/** A stored row the planner cannot use (written behind the API's back): left out, and logged by the service. */
export interface SkippedRow {
  kind: 'touchpoint' | 'tester';
  id: string;
  problem: string;
}

/**
 * The touchpoints and testers the planner can use, and why each other stored row cannot be (written
 * behind the API's back): a plan and a re-fill leave them out alike.
 */
export function plannable(inputs: PlannerInputs): {
  touchpoints: PlannerTouchpoint[];
  testers: PlannerTester[];
  skipped: SkippedRow[];
} {
  const skipped: SkippedRow[] = [];
  const keep = (kind: SkippedRow['kind'], id: string, problem: string | null) => {
    if (problem) skipped.push({ kind, id, problem });
    return problem === null;
  };
  const touchpoints = inputs.touchpoints.filter((t) =>
    keep(
      'touchpoint',
      t.id,
      unplannableTouchpoint({ timezone: t.timezone, opening_hours: t.openingHours, closures: t.closures }),
    ),
  );
  const testers = inputs.testers.filter((t) =>
    keep('tester', t.id, unplannableTester({ timezone: t.timezone, working_hours: t.workingHours, leave: t.leave })),
  );
  return { touchpoints, testers, skipped };
}
