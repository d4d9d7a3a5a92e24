import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';

import type { DigestSubscription } from './digest-subscription.entity.js';

type Schedule = Pick<DigestSubscription, 'cron' | 'timezone' | 'periodDays'>;

/** The period a digest sent at `fire` covers: the `periodDays` before it, counted in the subscription's zone. */
export function periodEndingAt(sub: Schedule, fire: Date): { start: Date; end: Date } {
  return {
    start: DateTime.fromJSDate(fire, { zone: sub.timezone }).minus({ days: sub.periodDays }).toJSDate(),
    end: fire,
  };
}

/** The period of the next digest the schedule sends after `now`. */
export function nextPeriod(sub: Schedule, now: Date): { start: Date; end: Date } {
  const fire = CronExpressionParser.parse(sub.cron, { currentDate: now, tz: sub.timezone }).next().toDate();
  return periodEndingAt(sub, fire);
}
