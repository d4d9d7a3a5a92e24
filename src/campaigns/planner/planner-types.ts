import type { DateRangeLike } from './calendar.js';

/** What the planner is given and what it answers: plain data, so its callers and helpers share it without a cycle. */

export interface PlannerCampaign {
  id: string;
  seed: string;
  contactsPerTouchpointPerWeek: number;
  windowMinutes: number;
  revealLeadMinutes: number;
  holdLeadMinutes: number | null;
  minSpacingHours: number;
  testerWeeklyCap: number;
  rotationDays: number;
  allowOwnerSelfTest: boolean;
  /** YYYY-MM-DD, inclusive, read in each touchpoint's zone. */
  startsOn: string;
  endsOn: string | null;
}

export interface PlannerTouchpoint {
  id: string;
  channel: string;
  timezone: string;
  openingHours: Array<{ day: string; open: string; close: string }>;
  closures: DateRangeLike[];
  ownerId: string | null;
}

export interface PlannerTester {
  id: string;
  timezone: string;
  workingHours: Array<{ day: string; start: string; end: string }>;
  leave: DateRangeLike[];
}

export interface PlannerScenario {
  id: string;
  channels: string[];
}

/** An assignment that already exists (any campaign of the organization), for caps, spacing and rotation. */
export interface ExistingAssignment {
  campaignId: string;
  testerId: string | null;
  touchpointId: string;
  scenarioId: string | null;
  weekStart: string;
  windowStart: number;
  windowEnd: number;
}

export interface PlanWeekInput {
  campaign: PlannerCampaign;
  /** The Monday of the week to plan (YYYY-MM-DD). */
  weekStart: string;
  touchpoints: PlannerTouchpoint[];
  testers: PlannerTester[];
  scenarios: PlannerScenario[];
  existing: ExistingAssignment[];
  now: number;
  /**
   * Tests of each touchpoint this week, by touchpoint id, for a by-need campaign (allocation.ts); a touchpoint
   * not named gets the campaign's contactsPerTouchpointPerWeek. Only the count changes: windows are drawn alike.
   */
  counts?: Readonly<Record<string, number>>;
  /** Told of each assignment as soon as it is made (a caller may start storing before the week is done). */
  onPlanned?: (assignment: PlannedAssignment) => void;
}

export interface PlannedAssignment {
  touchpointId: string;
  slot: number;
  testerId: string;
  scenarioId: string | null;
  windowStart: number;
  windowEnd: number;
  revealAt: number;
  holdAt: number | null;
}

export type UnfilledReason =
  | 'no_open_time'
  | 'spacing'
  | 'no_tester_available'
  | 'only_owner_available'
  | 'tester_weekly_cap_reached'
  | 'rotation'
  | 'testers_busy'
  | 'declined_too_late'
  | 'not_revealed_in_time'
  | 'tester_became_owner';
