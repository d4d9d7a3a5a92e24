import { DateTime } from 'luxon';

import { SeededRandom } from '../campaigns/planner/random.js';
import { MAX_WAIT_SECONDS } from '../common/durations.js';
import { asks } from '../touchpoints/channel-fields.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import type { Truth } from './demo-organisation.js';

/** Draws from a seeded stream: uniform, normal, log-normal, yes/no, one of. */
export class Draw {
  constructor(private readonly random: SeededRandom) {}

  uniform(): number {
    return (this.random.int(0, 2 ** 30 - 1) + 0.5) / 2 ** 30;
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Log-normal around a median, sigma 0.6: most waits near it, a long tail. */
  wait(median: number): number {
    // the API takes waits up to 14 days (an email's reply)
    return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.round(median * Math.exp(0.6 * this.normal()))));
  }

  rating(mean: number): number {
    return Math.min(5, Math.max(1, Math.round(mean + 0.8 * this.normal())));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.random.int(0, items.length - 1)];
  }
}

export interface DrawnOutcome {
  body: Record<string, unknown>;
  /** When the tester can honestly record it: after the window, or once an email reply came. */
  recordAt: Date;
}

/** One test contact as it went, drawn from the touchpoint's truth, in the API's outcome shape. */
export function drawOutcome(
  truth: Truth,
  draw: Draw,
  window: { start: Date; end: Date },
  testerZone: string,
  channel: Channel,
): DrawnOutcome {
  const attempted = new Date(
    window.start.getTime() + draw.uniform() * (window.end.getTime() - window.start.getTime()) * 0.8,
  );
  const reached = draw.chance(truth.reach);
  const transfers =
    reached && draw.chance(truth.transfer) ? 1 + (draw.chance(0.4) ? 1 : 0) + (draw.chance(0.2) ? 1 : 0) : 0;
  const disconnects =
    channel !== 'email' && channel !== 'in_person' && draw.chance(reached ? truth.drop : truth.drop / 2) ? 1 : 0;
  const repeatedStory = transfers > 0 && draw.chance(truth.repeatAfterTransfer);
  let resolution: 'resolved' | 'partial' | 'unresolved' = 'unresolved';
  if (reached) {
    // a dropped line rarely ends resolved; a transfer makes it less likely
    const odds = truth.resolved * (disconnects ? 0.3 : 1) * (transfers ? 0.7 : 1);
    const u = draw.uniform();
    resolution = u < odds ? 'resolved' : u < odds + truth.partial ? 'partial' : 'unresolved';
  }
  const wait = reached ? draw.wait(truth.waitMedian) : null;
  // a store's wait is its queue, kept whether or not anyone served in the end; nobody served: left after a long one
  const queueSeconds = channel === 'in_person' ? (wait ?? Math.round(truth.waitMedian * 1.6)) : null;
  const secondsToHuman = asks(channel, 'secondsToHuman') ? wait : null;
  const promised = reached && resolution !== 'resolved' && draw.chance(truth.promise);
  const category = !reached
    ? 'noAnswer'
    : resolution === 'resolved'
      ? 'resolved'
      : transfers > 0 || repeatedStory
        ? 'transferred'
        : 'unresolved';
  const body: Record<string, unknown> = {
    attemptedAt: attempted.toISOString(),
    reachedHuman: reached,
    secondsToHuman,
    holdSeconds: reached && channel === 'phone' ? Math.round(draw.uniform() * 240) : null,
    transfers: asks(channel, 'transfers') ? transfers : 0,
    disconnects: asks(channel, 'disconnects') ? disconnects : 0,
    // what each channel asks of its own, read from what happened (no further draws: the stream stays the same)
    botFirst: asks(channel, 'botFirst') ? true : null,
    answeredQuestion: asks(channel, 'answeredQuestion') && reached ? resolution !== 'unresolved' : null,
    queueSeconds,
    queueSystemWorked: queueSeconds === null ? null : queueSeconds < 30 * 60,
    staffFree: queueSeconds === null ? null : queueSeconds < 5 * 60,
    repeatedStory,
    resolution,
    optionsExplained: resolution === 'resolved' ? null : reached && draw.chance(truth.optionsExplained),
    courtesy: reached ? draw.rating(truth.courtesy) : null,
    knowledge: reached ? draw.rating(truth.knowledge) : null,
    staffGaveName: reached ? draw.chance(0.45) : null,
    promisedFollowUpBy: promised
      ? DateTime.fromJSDate(attempted, { zone: testerZone }).plus({ days: truth.promiseDays }).toISODate()
      : null,
    notes: draw.chance(0.85) ? draw.pick(truth.notes[category]) : null,
    answers: truth.answers ? truth.answers(reached, resolution === 'resolved', () => draw.uniform()) : {},
  };
  // an email reply can only be recorded once it arrived; others within a few hours of the window
  const recordAt =
    channel === 'email' && secondsToHuman
      ? new Date(attempted.getTime() + secondsToHuman * 1000 + 30 * 60_000)
      : new Date(window.end.getTime() + draw.uniform() * 3 * 3600_000);
  return { body, recordAt };
}
