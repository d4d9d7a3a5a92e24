import { MAX_WAIT_SECONDS } from '../common/durations.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import { asksQuestion, questionsFor } from '../scenarios/question-channels.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import {
  asks,
  CHANNEL_FIELD_NAMES,
  CHANNEL_NOUNS,
  channelList,
  channelsAsking,
} from '../touchpoints/channel-fields.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { caseContinuesRule } from './case-rules.js';
import type { OutcomeDto } from './outcome.dto.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How far from its window a test contact may have been made and still count as that test. */
export const BEFORE_WINDOW = 60 * MINUTE;
export const AFTER_WINDOW = 120 * MINUTE;
/** An ad-hoc contact is recorded within this many days. */
export const AD_HOC_MAX_AGE = 7 * DAY;
/** A little clock skew between a phone and the server is not "the future". */
const SKEW = 5 * MINUTE;

export interface OutcomeContext {
  now: Date;
  /** The planned window, for a test with an assignment. */
  window?: { start: Date; end: Date; zone: string };
  questions: ScenarioQuestion[];
  /** The touchpoint's channel: it decides which fields are asked (see channel-fields.ts). */
  channel: Channel;
}

const err = (field: string, rule: string, message: string): FieldError => ({ field, rule, message });
const has = (v: unknown) => v !== undefined && v !== null;

/**
 * A field the contact's channel does not ask is refused, naming the field and the channel. A count of none
 * (0 transfers) says nothing happened, so it passes: clients that always send the counters keep working.
 */
export function channelRules(o: OutcomeDto, channel: Channel): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of CHANNEL_FIELD_NAMES) {
    const v = (o as unknown as Record<string, unknown>)[field];
    if (asks(channel, field) || !has(v) || v === 0) continue;
    errors.push(
      err(
        field,
        'notForChannel',
        `${field} is not asked of ${CHANNEL_NOUNS[channel]} (channel ${channel}); ` +
          `it is asked only for ${channelList(channelsAsking(field))}`,
      ),
    );
  }
  return errors;
}

/**
 * The rules a careful quality analyst insists on, beyond each field's own type and range: nothing
 * is asked that could not have happened, and nothing that did happen is left out.
 */
export function outcomeRules(o: OutcomeDto, ctx: OutcomeContext): FieldError[] {
  const errors: FieldError[] = [];
  errors.push(...channelRules(o, ctx.channel));
  const waitAsked = asks(ctx.channel, 'secondsToHuman');
  if (o.reachedHuman) {
    if (waitAsked && !has(o.secondsToHuman))
      errors.push(
        err(
          'secondsToHuman',
          'requiredWhenReached',
          'secondsToHuman is needed when a person answered: how long did it take?',
        ),
      );
    if (!has(o.courtesy))
      errors.push(err('courtesy', 'requiredWhenReached', 'courtesy (1–5) is needed when a person answered'));
    if (!has(o.knowledge))
      errors.push(err('knowledge', 'requiredWhenReached', 'knowledge (1–5) is needed when a person answered'));
  } else {
    if (waitAsked && has(o.secondsToHuman))
      errors.push(err('secondsToHuman', 'onlyWhenReached', 'secondsToHuman must be empty when no person answered'));
    if (has(o.courtesy))
      errors.push(err('courtesy', 'onlyWhenReached', 'courtesy can only be rated when a person answered'));
    if (has(o.knowledge))
      errors.push(err('knowledge', 'onlyWhenReached', 'knowledge can only be rated when a person answered'));
    if (has(o.staffGaveName))
      errors.push(err('staffGaveName', 'onlyWhenReached', 'staffGaveName applies only when a person answered'));
    if (asks(ctx.channel, 'answeredQuestion') && has(o.answeredQuestion))
      errors.push(err('answeredQuestion', 'onlyWhenReached', 'answeredQuestion applies only when a person replied'));
  }
  if (o.resolution === 'resolved' && has(o.optionsExplained)) {
    errors.push(
      err('optionsExplained', 'onlyWhenUnresolved', 'optionsExplained is asked only when the matter was not resolved'),
    );
  }
  if (o.resolution && o.resolution !== 'resolved' && !has(o.optionsExplained)) {
    errors.push(
      err(
        'optionsExplained',
        'requiredWhenUnresolved',
        'optionsExplained is needed when the matter was not resolved: were you told your options, or why not?',
      ),
    );
  }

  const attempted = Date.parse(o.attemptedAt);
  if (Number.isFinite(attempted)) {
    if (attempted > ctx.now.getTime() + SKEW)
      errors.push(err('attemptedAt', 'notInFuture', 'attemptedAt must not be in the future'));
    else if (ctx.window) {
      if (
        attempted < ctx.window.start.getTime() - BEFORE_WINDOW ||
        attempted > ctx.window.end.getTime() + AFTER_WINDOW
      ) {
        errors.push(
          err(
            'attemptedAt',
            'nearWindow',
            'attemptedAt must be within an hour before to two hours after the test window',
          ),
        );
      }
    } else if (attempted < ctx.now.getTime() - AD_HOC_MAX_AGE) {
      errors.push(err('attemptedAt', 'recent', 'attemptedAt must be within the last 7 days'));
    }
    if (has(o.promisedFollowUpBy)) {
      const by = Date.parse(`${o.promisedFollowUpBy}T23:59:59Z`);
      if (by < attempted - DAY)
        errors.push(err('promisedFollowUpBy', 'afterAttempt', 'promisedFollowUpBy cannot be before the contact'));
      else if (by > attempted + 92 * DAY)
        errors.push(
          err('promisedFollowUpBy', 'within90Days', 'promisedFollowUpBy must be within 90 days of the contact'),
        );
    }
  }
  errors.push(...caseContinuesRule(o));
  errors.push(...answerRules(o.answers ?? {}, ctx.questions, ctx.channel));
  return errors;
}

/**
 * Answers to the scenario's questions: each of the right type, the required ones given, and none to a question
 * the scenario does not ask, nor to one it asks only through other channels (naming the question and its channels).
 */
function answerRules(answers: Record<string, unknown>, questions: ScenarioQuestion[], channel: Channel): FieldError[] {
  const errors: FieldError[] = [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  for (const [key, v] of Object.entries(answers)) {
    const q = byKey.get(key);
    if (!q) errors.push(err(`answers.${key}`, 'unknownField', `answers.${key} is not a question of this scenario`));
    else if (!asksQuestion(q, channel) && has(v) && v !== '')
      errors.push(
        err(
          `answers.${key}`,
          'notForChannel',
          `answers.${key} (${q.label}) is not asked of ${CHANNEL_NOUNS[channel]} (channel ${channel}); ` +
            `the scenario asks it only for ${channelList(q.channels ?? [])}`,
        ),
      );
  }
  for (const q of questionsFor(questions, channel)) {
    const v = answers[q.key];
    const field = `answers.${q.key}`;
    if (v === undefined || v === null || v === '') {
      if (q.required) errors.push(err(field, 'required', `${q.label} — an answer is required`));
      continue;
    }
    const ok =
      q.type === 'yes_no'
        ? typeof v === 'boolean'
        : q.type === 'number'
          ? typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 1e9
          : q.type === 'seconds'
            ? Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_WAIT_SECONDS
            : q.type === 'rating'
              ? Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5
              : q.type === 'choice'
                ? typeof v === 'string' && (q.options ?? []).includes(v)
                : typeof v === 'string' && v.length <= 2000;
    if (!ok) {
      const expected = {
        yes_no: 'yes or no (true or false)',
        number: 'a number',
        seconds: `a whole number of seconds from 0 to ${MAX_WAIT_SECONDS} (14 days)`,
        rating: 'a whole number from 1 to 5',
        choice: `one of: ${(q.options ?? []).join(', ')}`,
        text: 'text of at most 2000 characters',
      }[q.type];
      errors.push(err(field, `is_${q.type}`, `${q.label} — the answer must be ${expected}`));
    }
  }
  return errors;
}
