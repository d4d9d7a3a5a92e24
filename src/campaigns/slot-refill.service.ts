import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { AssignmentSlot, AssignmentsRepository, ReplacementRow } from '../assignments/assignments.repository.js';
import type { Campaign } from './campaign.entity.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { findReplacements, MINUTE } from './planner/planner.js';
import type { ExistingAssignment, PlannerTouchpoint } from './planner/planner.js';
import { bookingsAround, parsePlannerInputs, plannable } from './planner-inputs.js';

/** Closer than this to the window start and there is no time to hand a slot to someone else. */
export const MIN_REFILL_LEAD = 30 * MINUTE;

/** The slot of a declined or withdrawn assignment, as that assignment held it. */
export interface VacatedSlot extends Omit<AssignmentSlot, 'id'> {
  assignmentId: string;
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

export function vacatedSlot(a: AssignmentSlot, tooLateReason: string, lead: VacatedSlot['lead']): VacatedSlot {
  return {
    lead,
    assignmentId: a.id,
    organizationId: a.organizationId,
    campaignId: a.campaignId,
    touchpointId: a.touchpointId,
    scenarioId: a.scenarioId,
    weekStart: a.weekStart,
    slot: a.slot,
    windowStart: a.windowStart,
    windowEnd: a.windowEnd,
    revealAt: a.revealAt,
    holdAt: a.holdAt,
    tooLateReason,
  };
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

/** The replacement's reveal (and hold) times: its slot's, if still ahead, else at once (and no hold). */
function replacement(s: VacatedSlot, testerId: string, now: Date): ReplacementRow {
  const revealAt = new Date(Math.max(s.revealAt.getTime(), now.getTime()));
  // A hold only makes sense before a reveal that is still ahead.
  const holdAt = s.holdAt && revealAt > now ? new Date(Math.max(s.holdAt.getTime(), now.getTime())) : null;
  const { assignmentId, tooLateReason: _reason, lead: _lead, ...slot } = s;
  return { ...slot, testerId, revealAt, holdAt, replacesId: assignmentId };
}

/**
 * Re-planning a vacated slot: its window goes to another eligible tester of its campaign, by the
 * planner's own rules (findReplacements) on the inputs a plan reads (CampaignsRepository.plannerInputs),
 * or is recorded unfilled with the reason.
 */
@Injectable()
export class SlotRefillService {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly assignments: AssignmentsRepository,
  ) {}

  /** Records a slot that no one takes. */
  recordUnfilled(manager: EntityManager, s: VacatedSlot, reason: string, now: Date): Promise<void> {
    return this.assignments.insertUnfilled(manager, [{ ...s, reason }], now);
  }

  /**
   * Gives each vacated slot's window to another eligible tester of its campaign, or records it unfilled
   * with the reason. Nobody who held the slot before gets it back. The replacement is revealed at the
   * original reveal time if that is still ahead, else at the next tick; a slot whose window is nearer
   * than its `lead` is recorded unfilled. Call it holding the organization's planning lock, after the
   * vacated assignments left their live status.
   */
  async refill(manager: EntityManager, slots: VacatedSlot[], now: Date): Promise<RefillResult[]> {
    const results: RefillResult[] = [];
    for (const [campaignId, group] of groupBy(slots, (s) => s.campaignId)) {
      const campaign = await this.campaigns.get(manager, campaignId);
      const inputs = await this.inputsFor(manager, campaign, group);
      const unfilled = async (s: VacatedSlot, reason: string) => {
        await this.recordUnfilled(manager, s, reason, now);
        results.push({ vacated: s.assignmentId, replacement: null, unfilledReason: reason });
      };
      const lead = (s: VacatedSlot) =>
        s.lead === 'reveal_lead' ? campaign.revealLeadMinutes * MINUTE : MIN_REFILL_LEAD;
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
        const rows = chosen.map((c) => replacement(c.slot, c.testerId, now));
        for (const r of await this.assignments.insertReplacements(manager, rows, now)) {
          results.push({
            vacated: r.replacesId,
            replacement: { assignmentId: r.id, testerId: r.testerId },
            unfilledReason: null,
          });
        }
        // Later weeks of this batch see these bookings (caps, overlaps, rotation).
        inputs.existing.push(...chosen.map(({ slot: s, testerId }) => booking(s, testerId)));
      }
    }
    return results;
  }

  /**
   * Loaded once per campaign for all its vacated slots: the planner's inputs (less rows it cannot read,
   * written behind the API, as a plan leaves them out), and who held each slot before.
   */
  private async inputsFor(manager: EntityManager, campaign: Campaign, slots: VacatedSlot[]) {
    const touchpointIds = [...new Set(slots.map((s) => s.touchpointId))];
    const starts = slots.map((s) => s.windowStart.getTime());
    const bookings = bookingsAround(Math.min(...starts), Math.max(...starts), campaign.rotationDays);
    const inputs = parsePlannerInputs(await this.campaigns.plannerInputs(manager, campaign, bookings, touchpointIds));
    const { touchpoints, testers } = plannable(inputs);
    // Everyone who held one of these slots and let it go (declined, withdrawn).
    const heldBefore = new Map<string, string[]>();
    const weeks = [...new Set(slots.map((s) => s.weekStart))];
    for (const p of await this.assignments.heldBefore(manager, campaign.id, touchpointIds, weeks)) {
      const key = slotKey(p);
      heldBefore.set(key, [...new Set([...(heldBefore.get(key) ?? []), p.testerId])]);
    }
    return {
      testers,
      touchpoints: new Map<string, PlannerTouchpoint>(touchpoints.map((t) => [t.id, t])),
      heldBefore,
      existing: inputs.existing,
    };
  }
}

/** A replacement as later weeks' caps, spacing and rotation see it. */
function booking(s: VacatedSlot, testerId: string): ExistingAssignment {
  return {
    campaignId: s.campaignId,
    testerId,
    touchpointId: s.touchpointId,
    scenarioId: s.scenarioId,
    weekStart: s.weekStart,
    windowStart: s.windowStart.getTime(),
    windowEnd: s.windowEnd.getTime(),
  };
}
