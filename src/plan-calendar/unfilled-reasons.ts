import type { UnfilledReason } from '../campaigns/planner/planner-types.js';

/** Each reason the planner records for a slot it could not fill, as a person planning reads it. */
export const UNFILLED_EXPLANATIONS: Record<UnfilledReason, string> = {
  no_open_time: 'no opening hours left in that week for another window',
  spacing: 'no window left that keeps the minimum spacing between two tests',
  no_tester_available: 'no tester works at those hours (or all are on leave)',
  only_owner_available: "only the touchpoint's owner was free, and the campaign does not let owners test their own",
  tester_weekly_cap_reached: 'every free tester had reached their weekly cap',
  rotation: 'every free tester had tested this touchpoint too recently',
  testers_busy: 'every eligible tester already had another test then',
  declined_too_late: 'declined too late for anyone else to take it',
  not_revealed_in_time: 'its reveal time passed while the service was down, and its window had begun',
  tester_became_owner:
    'its tester became the touchpoint’s owner after learning of it: the window is known, nobody takes it',
};

export const explainUnfilled = (reason: string): string =>
  UNFILLED_EXPLANATIONS[reason as UnfilledReason] ?? reason.replace(/_/g, ' ');
