import type { FieldError } from '../common/validation/validation-errors.js';

/**
 * How big a campaign may be: the sizes the planner is measured at (BENCHMARKS.md, bench:plan), so one
 * plan stays a few seconds of a worker thread and one bounded transaction. Stated in the API docs and
 * the README; breaking one answers 400 naming the field and the limit.
 */
export const CAMPAIGN_LIMITS = {
  /** Touchpoints a campaign selects (by id, or by team and channels). */
  touchpoints: 10_000,
  /** Testers in its pool. */
  testers: 10_000,
  /** Touchpoints × contacts per touchpoint per week: the slots of one week. */
  weeklyContacts: 20_000,
  /** Slots one plan call may create (weeks × weekly contacts). */
  slotsPerPlan: 200_000,
} as const;

const n = (v: number) => v.toLocaleString('en-GB');

/** What breaks the size limits, for a campaign that selects `touchpoints` touchpoints. */
export function campaignSizeErrors(size: {
  touchpoints: number;
  testers: number;
  contactsPerTouchpointPerWeek: number;
  byIds: boolean;
  /** A by-need campaign's budget: its week's slots (at most CAMPAIGN_LIMITS.weeklyContacts, as the DTO says). */
  weeklyBudget?: number | null;
}): FieldError[] {
  const errors: FieldError[] = [];
  const selection = size.byIds ? 'touchpointIds' : 'team';
  if (size.touchpoints > CAMPAIGN_LIMITS.touchpoints) {
    errors.push({
      field: selection,
      rule: 'maxTouchpoints',
      message:
        `a campaign may select at most ${n(CAMPAIGN_LIMITS.touchpoints)} touchpoints; ` +
        `this one selects ${n(size.touchpoints)}`,
    });
  }
  if (size.testers > CAMPAIGN_LIMITS.testers) {
    errors.push({
      field: 'testerIds',
      rule: 'maxTesters',
      message: `a campaign may have at most ${n(CAMPAIGN_LIMITS.testers)} testers; this one has ${n(size.testers)}`,
    });
  }
  const weekly = size.touchpoints * size.contactsPerTouchpointPerWeek;
  if (size.weeklyBudget == null && weekly > CAMPAIGN_LIMITS.weeklyContacts) {
    errors.push({
      field: 'contactsPerTouchpointPerWeek',
      rule: 'maxWeeklyContacts',
      message:
        `touchpoints × contactsPerTouchpointPerWeek may be at most ${n(CAMPAIGN_LIMITS.weeklyContacts)} a week; ` +
        `${n(size.touchpoints)} × ${size.contactsPerTouchpointPerWeek} = ${n(weekly)}`,
    });
  }
  return errors;
}

/** A plan call's size: every week it plans holds the campaign's weekly contacts. */
export function planSizeErrors(weeklyContacts: number, weeks: number): FieldError[] {
  if (weeklyContacts * weeks <= CAMPAIGN_LIMITS.slotsPerPlan) return [];
  const most = Math.max(1, Math.floor(CAMPAIGN_LIMITS.slotsPerPlan / Math.max(1, weeklyContacts)));
  return [
    {
      field: 'to',
      rule: 'maxSlotsPerPlan',
      message:
        `one plan may create at most ${n(CAMPAIGN_LIMITS.slotsPerPlan)} slots: ` +
        `at ${n(weeklyContacts)} a week, plan at most ${most} week(s) at a time`,
    },
  ];
}

/** A by-need campaign's budget and floor, for a campaign that selects `touchpoints` touchpoints. */
export function allocationErrors(dto: {
  allocation?: string;
  weeklyBudget?: number | null;
  floorPerTouchpoint?: number | null;
  contactsPerTouchpointPerWeek: number;
  touchpoints: number;
}): FieldError[] {
  const errors: FieldError[] = [];
  const { weeklyBudget: budget, floorPerTouchpoint: floor, contactsPerTouchpointPerWeek: cap, touchpoints } = dto;
  if (dto.allocation !== 'by-need') {
    for (const field of ['weeklyBudget', 'floorPerTouchpoint'] as const) {
      if (dto[field] !== null && dto[field] !== undefined)
        errors.push({ field, rule: 'onlyWithByNeed', message: `${field} applies only with allocation 'by-need'` });
    }
    return errors;
  }
  for (const [field, value] of [
    ['weeklyBudget', budget],
    ['floorPerTouchpoint', floor],
  ] as const) {
    if (value === null || value === undefined)
      errors.push({ field, rule: 'requiredWithByNeed', message: `${field} is required with allocation 'by-need'` });
  }
  if (errors.length || budget == null || floor == null) return errors;
  if (floor > cap) {
    errors.push({
      field: 'floorPerTouchpoint',
      rule: 'atMostContactsPerTouchpointPerWeek',
      message: `floorPerTouchpoint (${floor}) may be at most contactsPerTouchpointPerWeek (${cap})`,
    });
  } else if (budget < floor * touchpoints) {
    errors.push({
      field: 'weeklyBudget',
      rule: 'coversFloor',
      message:
        `weeklyBudget must cover the floor of every touchpoint: at least ${floor} × ${n(touchpoints)} = ` +
        `${n(floor * touchpoints)}`,
    });
  } else if (budget > cap * touchpoints) {
    errors.push({
      field: 'weeklyBudget',
      rule: 'spendable',
      message:
        `weeklyBudget can be spent only up to contactsPerTouchpointPerWeek × touchpoints: at most ${cap} × ` +
        `${n(touchpoints)} = ${n(cap * touchpoints)}`,
    });
  }
  return errors;
}
