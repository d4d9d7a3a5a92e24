import { DateTime } from 'luxon';

import { MAX_CASE_CONTACTS } from '../common/case-limits.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import type { CaseContactKind, CaseContactStatus } from './case-contact.entity.js';
import type { CaseStatus, PromiseStatus, Resolution } from './outcome.entity.js';

/**
 * A test can continue as a case over days: the outcome is its first contact; each later contact (a callback, a
 * chase, a visit again) is added through the same link or the API until the case is resolved or given up. Pure:
 * the service loads and locks, these decide.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export { MAX_CASE_CONTACTS };
/** An open case with no contact for this long is reported as open and stale, never counted resolved. */
export const STALE_AFTER_DAYS = 30;
/** Later contacts are made within this many days of the first. */
export const CASE_MAX_DAYS = 92;
/** A little clock skew between a phone and the server is not "the future". */
const SKEW = 5 * MINUTE;

const err = (field: string, rule: string, message: string): FieldError => ({ field, rule, message });
const has = (v: unknown) => v !== undefined && v !== null;

/** What the first contact says about its case. */
export interface FirstContactCase {
  resolution: Resolution;
  /** The tester will follow the matter further; left out, a promised follow-up keeps it open. */
  caseContinues?: boolean | null;
  promisedFollowUpBy?: string | null;
}

/**
 * Where the case stands after its first contact alone: resolved; open when the tester follows it further (or,
 * unsaid, when a follow-up was promised: the promise is part of the case); otherwise given up unresolved.
 */
export function openingStatus(first: FirstContactCase): CaseStatus {
  if (first.resolution === 'resolved') return 'resolved';
  if (first.caseContinues === true) return 'open';
  if (first.caseContinues === false) return 'given_up';
  return has(first.promisedFollowUpBy) ? 'open' : 'given_up';
}

/** The first contact's case rule, checked with the outcome's own rules: a resolved matter does not continue. */
export function caseContinuesRule(first: FirstContactCase): FieldError[] {
  if (first.resolution === 'resolved' && first.caseContinues === true)
    return [err('caseContinues', 'onlyWhenUnresolved', 'caseContinues applies only when the matter was not resolved')];
  return [];
}

/**
 * Once later contacts exist, the first contact's edit must leave the case going on from it, and not move after the
 * second contact (made at `nextAt`).
 */
export function firstContactEditRules(
  first: FirstContactCase & { attemptedAt: string },
  laterContacts: number,
  nextAt: Date | null,
): FieldError[] {
  const errors: FieldError[] = [];
  if (laterContacts > 0 && openingStatus(first) !== 'open') {
    const field = first.resolution === 'resolved' ? 'resolution' : 'caseContinues';
    errors.push(
      err(
        field,
        'caseHasLaterContacts',
        `the case has ${laterContacts} later contact(s): its first contact must leave the matter open ` +
          '(not resolved, caseContinues not false)',
      ),
    );
  }
  if (nextAt && Date.parse(first.attemptedAt) > nextAt.getTime())
    errors.push(
      err(
        'attemptedAt',
        'beforeNextContact',
        `attemptedAt must not be after the case's next contact (${nextAt.toISOString()})`,
      ),
    );
  return errors;
}

/** One contact of a case as the rules see it: the first (its outcome) or a later one. */
export interface CaseStep {
  attemptedAt: Date;
  repeatedStory: boolean;
  /** The later contact's own status; the first contact has none (openingStatus says). */
  status?: CaseContactStatus;
  promisedFollowUpBy: string | null;
  promiseStatus: PromiseStatus | null;
}

/** A later contact as the tester records it. */
export interface CaseContactInput {
  kind: CaseContactKind;
  attemptedAt: string;
  reachedHuman: boolean;
  repeatedStory?: boolean;
  status: CaseContactStatus;
  promisedFollowUpBy?: string | null;
  /** Whether the promise made on the contact before was kept; left out, the contact's kind and date decide. */
  previousPromise?: PromiseStatus | null;
  notes?: string | null;
}

export interface CaseContactContext {
  now: Date;
  /** The contacts before this one, oldest first: the first contact (the outcome), then the later ones. */
  before: readonly CaseStep[];
  /** The contact after this one, when an earlier contact is edited. */
  after?: CaseStep;
}

/** The rules of a later contact, beyond each field's own type: it follows the one before, within the case's span. */
export function caseContactRules(c: CaseContactInput, ctx: CaseContactContext): FieldError[] {
  const errors: FieldError[] = [];
  const first = ctx.before[0];
  const previous = ctx.before[ctx.before.length - 1];
  const attempted = Date.parse(c.attemptedAt);
  if (Number.isFinite(attempted) && first && previous) {
    if (attempted > ctx.now.getTime() + SKEW)
      errors.push(err('attemptedAt', 'notInFuture', 'attemptedAt must not be in the future'));
    else if (attempted < previous.attemptedAt.getTime())
      errors.push(
        err(
          'attemptedAt',
          'afterPreviousContact',
          `attemptedAt must not be before the case's previous contact (${previous.attemptedAt.toISOString()})`,
        ),
      );
    else if (attempted > first.attemptedAt.getTime() + CASE_MAX_DAYS * DAY)
      errors.push(
        err(
          'attemptedAt',
          'withinCase',
          `attemptedAt must be within ${CASE_MAX_DAYS} days of the case's first contact`,
        ),
      );
    if (ctx.after && attempted > ctx.after.attemptedAt.getTime())
      errors.push(
        err(
          'attemptedAt',
          'beforeNextContact',
          `attemptedAt must not be after the case's next contact (${ctx.after.attemptedAt.toISOString()})`,
        ),
      );
    if (has(c.promisedFollowUpBy)) {
      const by = Date.parse(`${c.promisedFollowUpBy}T23:59:59Z`);
      if (by < attempted - DAY)
        errors.push(err('promisedFollowUpBy', 'afterAttempt', 'promisedFollowUpBy cannot be before the contact'));
      else if (by > attempted + 92 * DAY)
        errors.push(
          err('promisedFollowUpBy', 'within90Days', 'promisedFollowUpBy must be within 90 days of the contact'),
        );
    }
  }
  if (has(c.promisedFollowUpBy) && c.status !== 'continues')
    errors.push(
      err('promisedFollowUpBy', 'onlyWhenContinues', 'promisedFollowUpBy is asked only while the case continues'),
    );
  if (ctx.after && c.status !== 'continues')
    errors.push(
      err('status', 'laterContactsFollow', 'status must be continues: a later contact of this case follows this one'),
    );
  if (has(c.previousPromise) && !(previous && has(previous.promisedFollowUpBy)))
    errors.push(
      err(
        'previousPromise',
        'noPromiseMade',
        'previousPromise applies only when the contact before promised a follow-up',
      ),
    );
  if (!ctx.after && ctx.before.length >= MAX_CASE_CONTACTS)
    errors.push(
      err('attemptedAt', 'maxContacts', `a case has at most ${MAX_CASE_CONTACTS} contacts: resolve it or give it up`),
    );
  return errors;
}

/**
 * Whether the promise made on the contact before was kept, as this contact shows it: the tester's own answer if
 * given; a callback by the promised date (in the tester's zone) kept it, after that date it came late; a chase after
 * the date means it never came (broken); a chase before the date leaves it unanswered (null).
 */
export function promiseAnswer(
  promisedBy: string | null,
  c: Pick<CaseContactInput, 'kind' | 'attemptedAt' | 'previousPromise'>,
  zone: string,
): PromiseStatus | null {
  if (!promisedBy) return null;
  if (has(c.previousPromise)) return c.previousPromise;
  const day = DateTime.fromISO(c.attemptedAt, { setZone: true }).setZone(zone).toISODate()!;
  if (c.kind === 'callback') return day <= promisedBy ? 'kept' : 'late';
  return day > promisedBy ? 'broken' : null;
}

/** What the outcome row keeps of its case, so each metric stays one value per outcome. */
export interface CaseTallies {
  caseStatus: CaseStatus;
  caseContacts: number;
  caseLaterRepeats: number;
  casePromisesKept: number;
  casePromisesFailed: number;
  caseEndedAt: Date | null;
  caseLastContactAt: Date | null;
}

/**
 * The case's tallies from its first contact and its later ones (oldest first). The last later contact says where
 * the case stands; a case given up without a further contact (`givenUpAt`) ends then.
 */
export function caseTallies(
  first: FirstContactCase & { attemptedAt: Date },
  later: readonly CaseStep[],
  givenUpAt: Date | null = null,
): CaseTallies {
  const last = later[later.length - 1];
  let caseStatus: CaseStatus = last ? statusOf(last.status ?? 'continues') : openingStatus(first);
  let caseEndedAt = caseStatus === 'open' ? null : (last ?? first).attemptedAt;
  if (caseStatus === 'open' && givenUpAt) [caseStatus, caseEndedAt] = ['given_up', givenUpAt];
  return {
    caseStatus,
    caseContacts: 1 + later.length,
    caseLaterRepeats: later.filter((c) => c.repeatedStory).length,
    casePromisesKept: later.filter((c) => c.promiseStatus === 'kept').length,
    casePromisesFailed: later.filter((c) => c.promiseStatus === 'late' || c.promiseStatus === 'broken').length,
    caseEndedAt,
    caseLastContactAt: last ? last.attemptedAt : null,
  };
}

const statusOf = (s: CaseContactStatus): CaseStatus => (s === 'continues' ? 'open' : s);

/** After its case ends, the test's link opens this long for an edit of its last contact. */
const LINK_AFTER_END = 2 * DAY;

/**
 * Until when the test's emailed link opens for its case: while the case is open, until the last day a later contact
 * may be made (CASE_MAX_DAYS after the first); once it ended, 48 hours after its last save — never before the
 * first contact's own edits close.
 */
export function caseLinkExpiry(
  o: { caseStatus: CaseStatus; attemptedAt: Date; editableUntil: Date },
  now: Date,
): { to: Date; how: 'extend' | 'close' } {
  const until = (t: number) => new Date(Math.max(o.editableUntil.getTime(), t));
  return o.caseStatus === 'open'
    ? { to: until(o.attemptedAt.getTime() + CASE_MAX_DAYS * DAY), how: 'extend' }
    : { to: until(now.getTime() + LINK_AFTER_END), how: 'close' };
}

/** Days from the first contact to the end of the case (fractional: a callback the same afternoon is 0.1 days). */
export function daysToEnd(first: Date, ended: Date | null): number | null {
  return ended === null ? null : (ended.getTime() - first.getTime()) / DAY;
}

/** An open case whose latest contact is more than STALE_AFTER_DAYS old: still open, and said to be stale. */
export function isStale(status: CaseStatus, lastContact: Date, now: Date): boolean {
  return status === 'open' && now.getTime() - lastContact.getTime() > STALE_AFTER_DAYS * DAY;
}
