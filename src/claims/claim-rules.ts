import { DateTime } from 'luxon';

import type { FieldError } from '../common/validation/validation-errors.js';
import { METRICS } from '../metrics/metric-catalogue.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

/** What the rules need to know of a claim's touchpoint. */
export interface ClaimTouchpoint {
  ownerId: string | null;
  channel: Channel;
  timezone: string;
}

/** The fields of a claim the scope and channel rules read. */
export interface ClaimScope {
  touchpointId?: string | null;
  team?: string | null;
  metric: string;
  channel?: Channel | null;
}

/** Team and organization claims (no touchpoint, so no zone of their own) are judged by UTC days. */
export const DEFAULT_CLAIM_ZONE = 'UTC';

const err = (field: string, rule: string, message: string): FieldError => ({ field, rule, message });

/** Waits differ by channel (phone answers in seconds, email replies in hours): they are never pooled. */
export function isWaitMetric(metric: string): boolean {
  return METRICS.find((m) => m.key === metric)?.unit === 'seconds';
}

/**
 * The scope and channel rules beyond each field's own. `tp` is the touchpoint asked for: undefined
 * when none was, null when it is not one of the organization's.
 */
export function scopeErrors(claim: ClaimScope, tp: ClaimTouchpoint | null | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (claim.touchpointId && claim.team) errors.push(err('team', 'oneScope', 'give touchpointId or team, not both'));
  if (claim.touchpointId && !tp) {
    errors.push(err('touchpointId', 'exists', 'touchpointId must be a touchpoint of your organization'));
  }
  if (claim.touchpointId && tp && claim.channel && claim.channel !== tp.channel) {
    errors.push(
      err('channel', 'matchesTouchpoint', `channel must be left out or be the touchpoint's own (${tp.channel})`),
    );
  }
  if (!claim.touchpointId && !claim.channel && isWaitMetric(claim.metric)) {
    errors.push(
      err(
        'channel',
        'requiredForWaits',
        `channel is required for ${claim.metric} claimed for a team or the whole organization: ` +
          'waits are never pooled across channels',
      ),
    );
  }
  return errors;
}

/** The channel kept with a claim: a touchpoint claim's is its touchpoint's; otherwise the one given, or none. */
export function storedChannel(claim: ClaimScope, tp: ClaimTouchpoint | null | undefined): Channel | null {
  return claim.touchpointId && tp ? tp.channel : (claim.channel ?? null);
}

/** The zone whose days decide when a claim's period has ended. */
export function claimZone(tp: Pick<ClaimTouchpoint, 'timezone'> | null | undefined): string {
  return tp?.timezone ?? DEFAULT_CLAIM_ZONE;
}

/** The calendar day it is now in a zone (UTC's for a zone luxon does not know). */
function today(zone: string, now: Date): string {
  const local = DateTime.fromJSDate(now, { zone });
  return (local.isValid ? local : DateTime.fromJSDate(now, { zone: DEFAULT_CLAIM_ZONE })).toISODate()!;
}

/** A claim is judged once its period has ended: its last day is over in its zone. */
export function isJudged(periodEnd: string, zone: string, now: Date): boolean {
  return today(zone, now) > periodEnd;
}

export interface Refusal {
  rule: string;
  message: string;
}

/**
 * Why an owner (not quality, not an admin) may not change or delete a claim, or null when they may:
 * only a claim they reported themselves, and only until it is judged.
 */
export function ownerChangeRefusal(
  claim: { reportedBy: string | null; periodEnd: string },
  personId: string,
  zone: string,
  now: Date,
): Refusal | null {
  if (claim.reportedBy !== personId) {
    return {
      rule: 'ownClaimsOnly',
      message:
        'Owners may change or delete only claims they reported themselves; quality or an admin can change this one',
    };
  }
  if (isJudged(claim.periodEnd, zone, now)) {
    return {
      rule: 'notJudged',
      message:
        `Owners may not change or delete a claim once it is judged: its period ended on ${claim.periodEnd} ` +
        `(${zone}); quality or an admin can change it`,
    };
  }
  return null;
}
