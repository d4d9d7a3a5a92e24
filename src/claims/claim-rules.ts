import { DateTime } from 'luxon';

import type { FieldError } from '../common/validation/validation-errors.js';
import { fitsChannel, metricByKey, METRICS } from '../metrics/metric-catalogue.js';
import { channelList } from '../touchpoints/channel-fields.js';
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

/** One touchpoint's team and channel, of those the organization has. */
export interface TeamChannel {
  team: string | null;
  channel: Channel;
}

/**
 * The channels a claim without a touchpoint or channel speaks for: its team's touchpoints' channels, or the
 * organization's; undefined when the claim names a touchpoint or a channel (those speak for themselves).
 */
export function scopeChannels(claim: ClaimScope, touchpoints: readonly TeamChannel[]): Channel[] | undefined {
  if (claim.touchpointId || claim.channel) return undefined;
  const inScope = touchpoints.filter((t) => !claim.team || t.team === claim.team);
  return [...new Set(inScope.map((t) => t.channel))];
}

/** A metric claimed for contacts it is never measured on (a queue time for a phone line) has no evidence ever. */
function fitErrors(claim: ClaimScope, tp: ClaimTouchpoint | null | undefined, channels?: Channel[]): FieldError[] {
  const m = metricByKey(claim.metric);
  if (!m) return [];
  const fits = `it is measured on ${channelList(m.channels)} contacts only`;
  const refuse = (why: string) => [err('metric', 'fitsChannel', `${claim.metric} does not fit ${why}: ${fits}`)];
  if (claim.touchpointId) {
    return tp && !fitsChannel(m, tp.channel) ? refuse(`the touchpoint's channel (${tp.channel})`) : [];
  }
  if (claim.channel) return fitsChannel(m, claim.channel) ? [] : refuse(`the channel ${claim.channel}`);
  if (!channels?.length || channels.some((c) => fitsChannel(m, c))) return [];
  const whose = claim.team ? `team ${claim.team}` : 'the organization';
  return refuse(`the channels of ${whose}'s touchpoints (${channelList(channels)})`);
}

/**
 * The scope and channel rules beyond each field's own. `tp` is the touchpoint asked for: undefined
 * when none was, null when it is not one of the organization's; `channels` those of the claim's team or
 * organization (see scopeChannels), when it names neither a touchpoint nor a channel.
 */
export function scopeErrors(
  claim: ClaimScope,
  tp: ClaimTouchpoint | null | undefined,
  channels?: Channel[],
): FieldError[] {
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
  errors.push(...fitErrors(claim, tp, channels));
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
