import type { MessagePort } from 'node:worker_threads';

import type { PlanBatchColumns } from '../../assignments/assignments.repository.js';
import { parsePlannerInputs, plannable, PlannerInputsJson, SkippedRow } from '../planner-inputs.js';
import { fitToFreeSlots } from '../replan.js';
import { PlannedAssignment, PlannerCampaign, planWeek, UnfilledSlot } from './planner.js';

/**
 * The planner off the request's event loop: a worker thread (piscina) runs this. The inputs come as
 * the JSON text PostgreSQL built (parsing it here costs the service's event loop nothing). Assignments
 * go back on `port` in batches as they are made, as PostgreSQL array literals (one per column, ready
 * for `unnest`), so the service stores one batch while the next is planned and only passes strings
 * along; the last message says each week's count and unfilled slots, and which stored rows it left out.
 */

export interface PlanTask extends PlannerInputsJson {
  campaign: PlannerCampaign;
  weeks: string[];
  now: number;
  /** A re-plan's kept slots: week start → touchpoint → slot numbers held by tests revealed or done. */
  taken: Map<string, Map<string, Set<number>>>;
  /** A by-need campaign's tests per touchpoint, by week (PlanWeekInput.counts); absent: per touchpoint. */
  counts?: Record<string, Record<string, number>>;
  /** Assignments per batch (one INSERT each). */
  batch: number;
  port: MessagePort;
}

/** One INSERT's worth of assignments of one week, column by column. */
export interface AssignmentBatch extends PlanBatchColumns {
  kind: 'assignments';
  rows: number;
}

export interface PlanDone {
  kind: 'done';
  weeks: Array<{ weekStart: string; planned: number; unfilled: UnfilledSlot[] }>;
  skipped: SkippedRow[];
}

export type PlanMessage = AssignmentBatch | PlanDone;

/** A PostgreSQL array literal of uuids or integers (none needs quoting); null is NULL. */
const literal = (values: Array<string | number | null>) =>
  `{${values.map((v) => (v === null ? 'NULL' : v)).join(',')}}`;

function encode(weekStart: string, part: PlannedAssignment[]): AssignmentBatch {
  return {
    kind: 'assignments',
    weekStart,
    rows: part.length,
    testerIds: literal(part.map((a) => a.testerId)),
    touchpointIds: literal(part.map((a) => a.touchpointId)),
    scenarioIds: literal(part.map((a) => a.scenarioId)),
    slots: literal(part.map((a) => a.slot)),
    windowStarts: literal(part.map((a) => a.windowStart)),
    windowEnds: literal(part.map((a) => a.windowEnd)),
    revealAts: literal(part.map((a) => a.revealAt)),
    holdAts: literal(part.map((a) => a.holdAt)),
  };
}

export default function plan(task: PlanTask): void {
  let pending: PlannedAssignment[] = [];
  const flush = (weekStart: string) => {
    if (pending.length) task.port.postMessage(encode(weekStart, pending));
    pending = [];
  };
  const inputs = parsePlannerInputs(task);
  const { touchpoints, testers, skipped } = plannable(inputs);
  const { existing, scenarios } = inputs;
  const k = task.campaign.contactsPerTouchpointPerWeek;
  const weeks: PlanDone['weeks'] = [];
  for (const weekStart of task.weeks) {
    // A re-plan keeps the slots of tests already revealed or done: its week is cut to the free ones
    // (fitToFreeSlots) before anything is sent; otherwise assignments go out as they are made.
    const kept = task.taken.get(weekStart);
    const streamed = !kept || kept.size === 0;
    const fresh = planWeek({
      campaign: task.campaign,
      weekStart,
      touchpoints,
      testers,
      scenarios,
      existing,
      now: task.now,
      counts: task.counts?.[weekStart],
      onPlanned: streamed
        ? (assignment) => {
            pending.push(assignment);
            if (pending.length >= task.batch) flush(weekStart);
          }
        : undefined,
    });
    const counts = task.counts?.[weekStart];
    const week = fitToFreeSlots(fresh, kept, (tp) => counts?.[tp] ?? k);
    if (!streamed) {
      for (let i = 0; i < week.assignments.length; i += task.batch) {
        task.port.postMessage(encode(weekStart, week.assignments.slice(i, i + task.batch)));
      }
    }
    flush(weekStart);
    // Later weeks see this week's plan (caps, spacing, rotation).
    for (const a of week.assignments) {
      const { touchpointId, testerId, scenarioId, windowStart, windowEnd } = a;
      existing.push({
        campaignId: task.campaign.id,
        testerId,
        touchpointId,
        scenarioId,
        weekStart,
        windowStart,
        windowEnd,
      });
    }
    weeks.push({ weekStart, planned: week.assignments.length, unfilled: week.unfilled });
  }
  const done: PlanDone = { kind: 'done', weeks, skipped };
  task.port.postMessage(done);
}
