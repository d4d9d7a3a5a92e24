import type { EntityManager } from 'typeorm';
import { Campaign } from '../campaigns/campaign.entity.js';
import { findReplacements, HOUR, MINUTE } from '../campaigns/planner/planner.js';
import type { PlannerTester, PlannerTouchpoint } from '../campaigns/planner/planner.js';
import { unplannableTester, unplannableTouchpoint } from '../campaigns/plannable-rows.js';
import { loadExistingAssignments } from '../campaigns/planning.service.js';

/** Closer than this to the window start and there is no time to hand a slot to someone else. */
export const MIN_REFILL_LEAD = 30 * MINUTE;

/** The slot of a declined or withdrawn assignment, as that assignment held it. */
export interface VacatedSlot {
  assignmentId: string;
  organizationId: string;
  campaignId: string;
  touchpointId: string;
  scenarioId: string | null;
  weekStart: string;
  slot: number;
  windowStart: Date;
  windowEnd: Date;
  revealAt: Date;
  holdAt: Date | null;
  /** Recorded as the unfilled reason when the window is too near for anyone else. */
  tooLateReason: string;
  /**
   * How near the window may be for a replacement: the campaign's whole reveal lead (a withdrawn
   * test: the new tester gets the notice the campaign promises), or MIN_REFILL_LEAD (a decline).
   */
  lead: 'reveal_lead' | 'minimum';
}

export interface RefillResult {
  vacated: string;
  replacement: { assignmentId: string; testerId: string } | null;
  unfilledReason: string | null;
}

/** The raw row of an assignment, as refills and withdrawals read it. */
export type SlotRow = Record<'id' | 'organization_id' | 'campaign_id' | 'touchpoint_id' | 'week_start', string> & {
  scenario_id: string | null;
  slot: number;
  window_start: Date;
  window_end: Date;
  reveal_at: Date;
  hold_at: Date | null;
};

export function vacatedSlot(r: SlotRow, tooLateReason: string, lead: VacatedSlot['lead']): VacatedSlot {
  return {
    lead,
    assignmentId: r.id,
    organizationId: r.organization_id,
    campaignId: r.campaign_id,
    touchpointId: r.touchpoint_id,
    scenarioId: r.scenario_id,
    weekStart: r.week_start,
    slot: r.slot,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    revealAt: r.reveal_at,
    holdAt: r.hold_at,
    tooLateReason,
  };
}

export async function recordUnfilled(manager: EntityManager, s: VacatedSlot, reason: string, now: Date): Promise<void> {
  await manager.query(
    `INSERT INTO unfilled_slot (organization_id, campaign_id, touchpoint_id, week_start, slot, reason, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [s.organizationId, s.campaignId, s.touchpointId, s.weekStart, s.slot, reason, now],
  );
}

/**
 * Gives each vacated slot's window to another eligible tester of its campaign, by the planner's own
 * rules (findReplacement), or records it unfilled with the reason. Nobody who held the slot before
 * gets it back. The replacement is revealed at the original reveal time if that is still ahead, else
 * at the next tick; a slot whose window is nearer than its `lead` is recorded unfilled. Call it
 * holding the organization's planning lock, after the vacated assignments left their live status.
 */
export async function refillSlots(manager: EntityManager, slots: VacatedSlot[], now: Date): Promise<RefillResult[]> {
  const results: RefillResult[] = [];
  for (const [campaignId, group] of groupBy(slots, (s) => s.campaignId)) {
    const campaign = await manager.findOneByOrFail(Campaign, { id: campaignId });
    const inputs = await loadRefillInputs(manager, campaign, group);
    const unfilled = async (s: VacatedSlot, reason: string) => {
      await recordUnfilled(manager, s, reason, now);
      results.push({ vacated: s.assignmentId, replacement: null, unfilledReason: reason });
    };
    const lead = (s: VacatedSlot) => (s.lead === 'reveal_lead' ? campaign.revealLeadMinutes * MINUTE : MIN_REFILL_LEAD);
    for (const [weekStart, week] of [...groupBy(group, (s) => s.weekStart)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const timely: VacatedSlot[] = [];
      for (const s of week) {
        if (s.windowStart.getTime() - now.getTime() < lead(s)) await unfilled(s, s.tooLateReason);
        else if (!inputs.touchpoints.has(s.touchpointId)) await unfilled(s, 'no_tester_available');
        else timely.push(s);
      }
      const picks = findReplacements({
        campaign: { ...campaign },
        weekStart,
        testers: inputs.testers,
        existing: inputs.existing,
        slots: timely.map((s) => ({
          touchpoint: inputs.touchpoints.get(s.touchpointId)!,
          window: { start: s.windowStart.getTime(), end: s.windowEnd.getTime() },
          exclude: (inputs.heldBefore.get(slotKey(s)) ?? []).sort(),
        })),
      });
      const chosen: Array<{ slot: VacatedSlot; testerId: string }> = [];
      for (const [i, s] of timely.entries()) {
        const pick = picks[i];
        if ('reason' in pick) await unfilled(s, pick.reason);
        else chosen.push({ slot: s, testerId: pick.testerId });
      }
      for (const r of await insertReplacements(manager, chosen, now)) results.push({ ...r, unfilledReason: null });
      // Later weeks of this batch see these bookings (caps, overlaps, rotation).
      for (const { slot: s, testerId } of chosen) {
        inputs.existing.push({
          campaignId,
          testerId,
          touchpointId: s.touchpointId,
          scenarioId: s.scenarioId,
          weekStart: s.weekStart,
          windowStart: s.windowStart.getTime(),
          windowEnd: s.windowEnd.getTime(),
        });
      }
    }
  }
  return results;
}

/** The replacements, in one statement; each revealed at its slot's reveal time if still ahead, else at once. */
async function insertReplacements(
  manager: EntityManager,
  chosen: Array<{ slot: VacatedSlot; testerId: string }>,
  now: Date,
) {
  if (chosen.length === 0) return [];
  const revealAt = (s: VacatedSlot) => new Date(Math.max(s.revealAt.getTime(), now.getTime()));
  // A hold only makes sense before a reveal that is still ahead.
  const holdAt = (s: VacatedSlot) =>
    s.holdAt && revealAt(s) > now ? new Date(Math.max(s.holdAt.getTime(), now.getTime())) : null;
  const column = <T>(f: (c: { slot: VacatedSlot; testerId: string }) => T) => chosen.map(f);
  const rows: Array<{ id: string; replaces_id: string; tester_id: string }> = await manager.query(
    `INSERT INTO assignment (organization_id, campaign_id, tester_id, touchpoint_id, scenario_id, week_start, slot,
                             window_start, window_end, reveal_at, hold_at, replaces_id, status, created_at, updated_at)
     SELECT t.*, 'planned', $13::timestamptz, $13::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::date[], $7::int[],
                   $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::uuid[]) AS t
     RETURNING id, replaces_id, tester_id`,
    [
      column((c) => c.slot.organizationId),
      column((c) => c.slot.campaignId),
      column((c) => c.testerId),
      column((c) => c.slot.touchpointId),
      column((c) => c.slot.scenarioId),
      column((c) => c.slot.weekStart),
      column((c) => c.slot.slot),
      column((c) => c.slot.windowStart),
      column((c) => c.slot.windowEnd),
      column((c) => revealAt(c.slot)),
      column((c) => holdAt(c.slot)),
      column((c) => c.slot.assignmentId),
      now,
    ],
  );
  return rows.map((r) => ({ vacated: r.replaces_id, replacement: { assignmentId: r.id, testerId: r.tester_id } }));
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const slotKey = (s: { touchpointId: string; weekStart: string; slot: number }) =>
  `${s.touchpointId}|${s.weekStart}|${s.slot}`;

/** Loaded once per campaign for all its vacated slots: the pool, the touchpoints, the bookings around them. */
/** Rows the planner cannot read (written behind the API) are left out, as planning leaves them out. */
async function loadRefillInputs(manager: EntityManager, campaign: Campaign, slots: VacatedSlot[]) {
  const testers: PlannerTester[] = (
    await manager.query(
      `SELECT id, timezone, working_hours, leave FROM person
        WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND 'tester' = ANY(roles) ORDER BY id`,
      [campaign.organizationId, campaign.testerIds],
    )
  )
    .filter((t: Record<string, unknown>) => !unplannableTester(t))
    .map((t: Record<string, never>) => ({
      id: t.id,
      timezone: t.timezone,
      workingHours: t.working_hours,
      leave: t.leave,
    }));
  const touchpointIds = [...new Set(slots.map((s) => s.touchpointId))];
  const touchpoints = new Map<string, PlannerTouchpoint>(
    (
      await manager.query(
        'SELECT id, channel, timezone, opening_hours, closures, owner_id FROM touchpoint WHERE id = ANY($1::uuid[])',
        [touchpointIds],
      )
    )
      .filter((t: Record<string, unknown>) => !unplannableTouchpoint(t))
      .map((t: Record<string, never>) => [
        t.id,
        {
          id: t.id,
          channel: t.channel,
          timezone: t.timezone,
          openingHours: t.opening_hours,
          closures: t.closures,
          ownerId: t.owner_id,
        },
      ]),
  );
  // Everyone who held one of these slots and let it go (declined, withdrawn).
  const heldBefore = new Map<string, string[]>();
  const previous: Array<{ touchpoint_id: string; week_start: string; slot: number; tester_id: string }> =
    await manager.query(
      `SELECT touchpoint_id, week_start::text AS week_start, slot, tester_id FROM assignment
      WHERE campaign_id = $1 AND touchpoint_id = ANY($2::uuid[]) AND week_start = ANY($3::date[])
        AND status IN ('declined', 'cancelled')`,
      [campaign.id, touchpointIds, [...new Set(slots.map((s) => s.weekStart))]],
    );
  for (const p of previous) {
    const key = slotKey({ touchpointId: p.touchpoint_id, weekStart: p.week_start, slot: p.slot });
    heldBefore.set(key, [...new Set([...(heldBefore.get(key) ?? []), p.tester_id])]);
  }
  const starts = slots.map((s) => s.windowStart.getTime());
  const margin = (campaign.rotationDays + 8) * 24 * HOUR;
  const existing = await loadExistingAssignments(
    manager,
    campaign.organizationId,
    new Date(Math.min(...starts) - margin),
    new Date(Math.max(...starts) + margin),
  );
  return { testers, touchpoints, heldBefore, existing };
}
