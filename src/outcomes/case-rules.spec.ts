import {
  CASE_MAX_DAYS,
  caseContactRules,
  caseContinuesRule,
  caseLinkExpiry,
  caseTallies,
  daysToEnd,
  firstContactEditRules,
  isStale,
  MAX_CASE_CONTACTS,
  openingStatus,
  promiseAnswer,
  STALE_AFTER_DAYS,
} from './case-rules.js';
import type { CaseContactInput, CaseStep } from './case-rules.js';

const DAY = 86_400_000;
const first: CaseStep = {
  attemptedAt: new Date('2026-11-16T09:00:00Z'),
  repeatedStory: false,
  promisedFollowUpBy: '2026-11-17',
  promiseStatus: null,
};
const later = (over: Partial<CaseStep>): CaseStep => ({
  attemptedAt: new Date('2026-11-17T14:00:00Z'),
  repeatedStory: false,
  status: 'continues',
  promisedFollowUpBy: null,
  promiseStatus: null,
  ...over,
});
const input = (over: Partial<CaseContactInput> = {}): CaseContactInput => ({
  kind: 'chase',
  attemptedAt: '2026-11-18T10:00:00Z',
  reachedHuman: true,
  status: 'continues',
  ...over,
});
const now = new Date('2026-11-20T12:00:00Z');
const rules = (c: CaseContactInput, before: CaseStep[] = [first], after?: CaseStep) =>
  caseContactRules(c, { now, before, after }).map((e) => `${e.field}:${e.rule}`);

describe('openingStatus', () => {
  it('resolved on the first contact is a resolved case, whatever else is said', () => {
    expect(openingStatus({ resolution: 'resolved' })).toBe('resolved');
    expect(openingStatus({ resolution: 'resolved', caseContinues: true, promisedFollowUpBy: '2026-11-20' })).toBe(
      'resolved',
    );
  });

  it('unresolved: open when the tester follows it, or when a follow-up was promised and nothing said', () => {
    expect(openingStatus({ resolution: 'unresolved', caseContinues: true })).toBe('open');
    expect(openingStatus({ resolution: 'partial', promisedFollowUpBy: '2026-11-20' })).toBe('open');
    expect(openingStatus({ resolution: 'partial', caseContinues: null, promisedFollowUpBy: '2026-11-20' })).toBe(
      'open',
    );
  });

  it('unresolved and not followed is given up, even with a promise when the tester says so', () => {
    expect(openingStatus({ resolution: 'unresolved' })).toBe('given_up');
    expect(openingStatus({ resolution: 'partial', promisedFollowUpBy: null })).toBe('given_up');
    expect(openingStatus({ resolution: 'partial', caseContinues: false, promisedFollowUpBy: '2026-11-20' })).toBe(
      'given_up',
    );
  });
});

describe('caseContinuesRule and firstContactEditRules', () => {
  it('a resolved matter cannot continue', () => {
    expect(caseContinuesRule({ resolution: 'resolved', caseContinues: true })).toEqual([
      expect.objectContaining({ field: 'caseContinues', rule: 'onlyWhenUnresolved' }),
    ]);
    expect(caseContinuesRule({ resolution: 'resolved', caseContinues: false })).toEqual([]);
    expect(caseContinuesRule({ resolution: 'partial', caseContinues: true })).toEqual([]);
  });

  it('with later contacts, the first contact must keep the case open and stay before the second', () => {
    const at = '2026-11-16T09:00:00Z';
    const next = new Date('2026-11-17T09:00:00Z');
    expect(firstContactEditRules({ resolution: 'resolved', attemptedAt: at }, 0, null)).toEqual([]);
    expect(firstContactEditRules({ resolution: 'resolved', attemptedAt: at }, 1, next)).toEqual([
      expect.objectContaining({ field: 'resolution', rule: 'caseHasLaterContacts' }),
    ]);
    expect(firstContactEditRules({ resolution: 'partial', caseContinues: false, attemptedAt: at }, 2, next)).toEqual([
      expect.objectContaining({ field: 'caseContinues', rule: 'caseHasLaterContacts' }),
    ]);
    expect(firstContactEditRules({ resolution: 'partial', caseContinues: true, attemptedAt: at }, 2, next)).toEqual([]);
    expect(
      firstContactEditRules({ resolution: 'partial', caseContinues: true, attemptedAt: next.toISOString() }, 1, next),
    ).toEqual([]);
    expect(
      firstContactEditRules(
        { resolution: 'partial', caseContinues: true, attemptedAt: '2026-11-17T09:00:01Z' },
        1,
        next,
      ),
    ).toEqual([expect.objectContaining({ field: 'attemptedAt', rule: 'beforeNextContact' })]);
  });
});

describe('caseContactRules', () => {
  it('accepts a contact after the previous one, within the case', () => {
    expect(rules(input())).toEqual([]);
    expect(rules(input({ attemptedAt: first.attemptedAt.toISOString() }))).toEqual([]);
    expect(rules(input({ status: 'resolved' }))).toEqual([]);
    expect(rules(input({ promisedFollowUpBy: '2026-11-18' }))).toEqual([]);
  });

  it('refuses the future, a time before the previous contact, and one past the case span', () => {
    expect(rules(input({ attemptedAt: '2026-11-20T12:06:00Z' }))).toEqual(['attemptedAt:notInFuture']);
    expect(rules(input({ attemptedAt: '2026-11-20T12:04:00Z' }))).toEqual([]);
    expect(rules(input({ attemptedAt: '2026-11-16T08:59:59Z' }))).toEqual(['attemptedAt:afterPreviousContact']);
    const second = later({ attemptedAt: new Date('2026-11-18T00:00:00Z') });
    expect(rules(input({ attemptedAt: '2026-11-17T23:59:59Z' }), [first, second])).toEqual([
      'attemptedAt:afterPreviousContact',
    ]);
    const farNow = new Date(first.attemptedAt.getTime() + (CASE_MAX_DAYS + 5) * DAY);
    const edge = new Date(first.attemptedAt.getTime() + CASE_MAX_DAYS * DAY).toISOString();
    const past = new Date(first.attemptedAt.getTime() + CASE_MAX_DAYS * DAY + 1000).toISOString();
    const at = (iso: string) =>
      caseContactRules(input({ attemptedAt: iso }), { now: farNow, before: [first] }).map((e) => e.rule);
    expect(at(edge)).toEqual([]);
    expect(at(past)).toEqual(['withinCase']);
  });

  it('an edited earlier contact stays before the next one and keeps the case going', () => {
    const next = later({ attemptedAt: new Date('2026-11-19T10:00:00Z') });
    expect(rules(input({ attemptedAt: '2026-11-19T10:00:00Z' }), [first], next)).toEqual([]);
    expect(rules(input({ attemptedAt: '2026-11-19T10:00:01Z' }), [first], next)).toEqual([
      'attemptedAt:beforeNextContact',
    ]);
    expect(rules(input({ status: 'resolved' }), [first], next)).toEqual(['status:laterContactsFollow']);
    expect(rules(input({ status: 'given_up' }), [first], next)).toEqual(['status:laterContactsFollow']);
  });

  it('a promise only while the case continues, dated from the contact to 90 days after', () => {
    expect(rules(input({ status: 'resolved', promisedFollowUpBy: '2026-11-19' }))).toEqual([
      'promisedFollowUpBy:onlyWhenContinues',
    ]);
    expect(rules(input({ status: 'given_up', promisedFollowUpBy: '2026-11-19' }))).toEqual([
      'promisedFollowUpBy:onlyWhenContinues',
    ]);
    // the day before is still the contact's day somewhere west: tolerated, as for the first contact
    expect(rules(input({ promisedFollowUpBy: '2026-11-17' }))).toEqual([]);
    expect(rules(input({ promisedFollowUpBy: '2026-11-16' }))).toEqual(['promisedFollowUpBy:afterAttempt']);
    expect(rules(input({ promisedFollowUpBy: '2027-02-17' }))).toEqual([]);
    expect(rules(input({ promisedFollowUpBy: '2027-02-18' }))).toEqual(['promisedFollowUpBy:within90Days']);
  });

  it('previousPromise only when the contact before promised something', () => {
    expect(rules(input({ previousPromise: 'kept' }))).toEqual([]);
    expect(rules(input({ previousPromise: 'kept' }), [{ ...first, promisedFollowUpBy: null }])).toEqual([
      'previousPromise:noPromiseMade',
    ]);
    expect(rules(input({ previousPromise: null }), [{ ...first, promisedFollowUpBy: null }])).toEqual([]);
    expect(rules(input({ previousPromise: 'broken' }), [first, later({})])).toEqual(['previousPromise:noPromiseMade']);
  });

  it(`at most ${MAX_CASE_CONTACTS} contacts in a case; an edit is no new contact`, () => {
    const steps = (n: number) => [first, ...Array.from({ length: n - 1 }, () => later({}))];
    expect(rules(input(), steps(MAX_CASE_CONTACTS - 1))).toEqual([]);
    expect(rules(input(), steps(MAX_CASE_CONTACTS))).toEqual(['attemptedAt:maxContacts']);
    expect(rules(input(), steps(MAX_CASE_CONTACTS).slice(0, -1), later({ attemptedAt: now }))).toEqual([]);
  });

  it('an unreadable date is left to the field validation', () => {
    expect(rules(input({ attemptedAt: 'soon' }))).toEqual([]);
  });
});

describe('promiseAnswer', () => {
  const callback = (attemptedAt: string) => ({ kind: 'callback' as const, attemptedAt });
  const chase = (attemptedAt: string) => ({ kind: 'chase' as const, attemptedAt });

  it('nothing promised, nothing answered', () => {
    expect(promiseAnswer(null, callback('2026-11-17T10:00:00Z'), 'UTC')).toBeNull();
    expect(promiseAnswer(null, { ...chase('2026-11-17T10:00:00Z'), previousPromise: 'kept' }, 'UTC')).toBeNull();
  });

  it("the tester's own answer stands", () => {
    expect(promiseAnswer('2026-11-17', { ...callback('2026-11-17T10:00:00Z'), previousPromise: 'late' }, 'UTC')).toBe(
      'late',
    );
    expect(promiseAnswer('2026-11-17', { ...chase('2026-11-16T10:00:00Z'), previousPromise: 'broken' }, 'UTC')).toBe(
      'broken',
    );
  });

  it("a callback by the promised day (in the tester's zone) kept it; after it, it came late", () => {
    expect(promiseAnswer('2026-11-17', callback('2026-11-17T23:30:00Z'), 'UTC')).toBe('kept');
    expect(promiseAnswer('2026-11-17', callback('2026-11-16T08:00:00Z'), 'UTC')).toBe('kept');
    expect(promiseAnswer('2026-11-17', callback('2026-11-18T00:30:00Z'), 'UTC')).toBe('late');
    // 00:30 UTC on the 18th is still the 17th in New York, already the 18th in Berlin
    expect(promiseAnswer('2026-11-17', callback('2026-11-18T00:30:00Z'), 'America/New_York')).toBe('kept');
    expect(promiseAnswer('2026-11-17', callback('2026-11-17T23:30:00Z'), 'Europe/Berlin')).toBe('late');
  });

  it('a chase after the promised day says it never came; before, it is still pending', () => {
    expect(promiseAnswer('2026-11-17', chase('2026-11-18T09:00:00Z'), 'UTC')).toBe('broken');
    expect(promiseAnswer('2026-11-17', chase('2026-11-17T20:00:00Z'), 'UTC')).toBeNull();
    expect(promiseAnswer('2026-11-17', chase('2026-11-18T02:00:00Z'), 'America/New_York')).toBeNull();
  });
});

describe('caseTallies', () => {
  const opening = { resolution: 'partial' as const, caseContinues: true, attemptedAt: first.attemptedAt };

  it('a case of one contact: where its first contact left it', () => {
    expect(caseTallies(opening, [])).toEqual({
      caseStatus: 'open',
      caseContacts: 1,
      caseLaterRepeats: 0,
      casePromisesKept: 0,
      casePromisesFailed: 0,
      caseEndedAt: null,
      caseLastContactAt: null,
    });
    expect(caseTallies({ ...opening, resolution: 'resolved' }, [])).toMatchObject({
      caseStatus: 'resolved',
      caseEndedAt: first.attemptedAt,
    });
    expect(caseTallies({ ...opening, caseContinues: false }, [])).toMatchObject({
      caseStatus: 'given_up',
      caseEndedAt: first.attemptedAt,
    });
  });

  it('the last later contact says where it stands; repeats and promises are counted over the later ones', () => {
    const a = later({ repeatedStory: true, promiseStatus: 'kept', attemptedAt: new Date('2026-11-17T10:00:00Z') });
    const b = later({ promiseStatus: 'late', attemptedAt: new Date('2026-11-18T10:00:00Z') });
    const c = later({ repeatedStory: true, promiseStatus: 'broken', attemptedAt: new Date('2026-11-19T10:00:00Z') });
    const d = later({ repeatedStory: true, status: 'resolved', attemptedAt: new Date('2026-11-20T10:00:00Z') });
    expect(caseTallies(opening, [a, b, c, d])).toEqual({
      caseStatus: 'resolved',
      caseContacts: 5,
      caseLaterRepeats: 3,
      casePromisesKept: 1,
      casePromisesFailed: 2,
      caseEndedAt: d.attemptedAt,
      caseLastContactAt: d.attemptedAt,
    });
    expect(caseTallies(opening, [a, b])).toMatchObject({
      caseStatus: 'open',
      caseEndedAt: null,
      caseLastContactAt: b.attemptedAt,
    });
    const g = later({ status: 'given_up', attemptedAt: new Date('2026-11-21T10:00:00Z') });
    expect(caseTallies(opening, [a, g])).toMatchObject({ caseStatus: 'given_up', caseEndedAt: g.attemptedAt });
  });

  it('given up without a further contact ends when given up; a case already ended keeps its end', () => {
    const at = new Date('2026-11-25T08:00:00Z');
    expect(caseTallies(opening, [], at)).toMatchObject({ caseStatus: 'given_up', caseEndedAt: at });
    const a = later({});
    expect(caseTallies(opening, [a], at)).toMatchObject({ caseStatus: 'given_up', caseEndedAt: at });
    const r = later({ status: 'resolved' });
    expect(caseTallies(opening, [r], at)).toMatchObject({ caseStatus: 'resolved', caseEndedAt: r.attemptedAt });
  });
});

describe('daysToEnd and isStale', () => {
  it('days are fractional 24-hour days from the first contact', () => {
    expect(daysToEnd(new Date('2026-11-16T09:00:00Z'), new Date('2026-11-19T21:00:00Z'))).toBe(3.5);
    expect(daysToEnd(new Date('2026-11-16T09:00:00Z'), null)).toBeNull();
  });

  it(`an open case with no contact for more than ${STALE_AFTER_DAYS} days is stale; an ended one never`, () => {
    const last = new Date('2026-11-01T00:00:00Z');
    const edge = new Date(last.getTime() + STALE_AFTER_DAYS * DAY);
    expect(isStale('open', last, edge)).toBe(false);
    expect(isStale('open', last, new Date(edge.getTime() + 1))).toBe(true);
    expect(isStale('given_up', last, new Date(edge.getTime() + DAY))).toBe(false);
    expect(isStale('resolved', last, new Date(edge.getTime() + DAY))).toBe(false);
  });
});

describe('caseLinkExpiry', () => {
  const o = {
    attemptedAt: new Date('2026-11-16T09:00:00Z'),
    editableUntil: new Date('2026-11-18T09:30:00Z'),
  };

  it('while the case is open, the link opens until the last day a later contact may be made', () => {
    expect(caseLinkExpiry({ ...o, caseStatus: 'open' }, now)).toEqual({
      to: new Date(o.attemptedAt.getTime() + CASE_MAX_DAYS * DAY),
      how: 'extend',
    });
  });

  it('once ended, 48 hours after the last save, never before the first contact can no longer be edited', () => {
    expect(caseLinkExpiry({ ...o, caseStatus: 'resolved' }, now)).toEqual({
      to: new Date(now.getTime() + 2 * DAY),
      how: 'close',
    });
    const early = new Date('2026-11-16T08:00:00Z');
    expect(caseLinkExpiry({ ...o, caseStatus: 'given_up' }, early)).toEqual({ to: o.editableUntil, how: 'close' });
  });
});

describe('case rules at their edges, and what they say', () => {
  const late = new Date('2027-06-01T00:00:00Z');
  const at = (c: CaseContactInput, before: CaseStep[] = [first]) =>
    caseContactRules(c, { now: late, before }).map((e) => `${e.field}:${e.rule}`);

  it('five minutes of skew is not the future; a second more is', () => {
    expect(rules(input({ attemptedAt: '2026-11-20T12:05:00Z' }))).toEqual([]);
    expect(rules(input({ attemptedAt: '2026-11-20T12:05:01Z' }))).toEqual(['attemptedAt:notInFuture']);
  });

  it('a promise may end a day before the contact, and at most 92 days after it', () => {
    const attemptedAt = '2026-11-18T23:59:59Z';
    expect(at(input({ attemptedAt, promisedFollowUpBy: '2026-11-17' }))).toEqual([]);
    expect(at(input({ attemptedAt: '2026-11-19T00:00:00Z', promisedFollowUpBy: '2026-11-17' }))).toEqual([
      'promisedFollowUpBy:afterAttempt',
    ]);
    expect(at(input({ attemptedAt, promisedFollowUpBy: '2027-02-18' }))).toEqual([]);
    expect(at(input({ attemptedAt: '2026-11-18T23:59:58Z', promisedFollowUpBy: '2027-02-18' }))).toEqual([
      'promisedFollowUpBy:within90Days',
    ]);
  });

  it('every refusal says what is wrong in words', () => {
    const all = [
      ...caseContactRules(
        input({ attemptedAt: '2026-11-16T08:00:00Z', status: 'resolved', promisedFollowUpBy: '2026-11-17' }),
        {
          now,
          before: [{ ...first, promisedFollowUpBy: null }],
          after: later({ attemptedAt: new Date('2026-11-10T00:00:00Z') }),
        },
      ),
      ...caseContactRules(input({ attemptedAt: '2026-11-21T12:00:00Z', previousPromise: 'kept' }), {
        now,
        before: [{ ...first, promisedFollowUpBy: null }, ...Array.from({ length: MAX_CASE_CONTACTS }, () => later({}))],
      }),
      ...caseContactRules(input({ attemptedAt: '2027-06-01T00:00:00Z', promisedFollowUpBy: '2026-01-01' }), {
        now: late,
        before: [first],
      }),
      ...caseContactRules(input({ attemptedAt: '2027-01-01T00:00:00Z', promisedFollowUpBy: '2027-12-01' }), {
        now: late,
        before: [first],
      }),
      ...caseContinuesRule({ resolution: 'resolved', caseContinues: true }),
      ...firstContactEditRules({ resolution: 'resolved', attemptedAt: '2026-11-18T00:00:00Z' }, 1, first.attemptedAt),
      ...firstContactEditRules(
        { resolution: 'partial', caseContinues: false, attemptedAt: '2026-11-16T00:00:00Z' },
        1,
        null,
      ),
    ];
    expect(new Set(all.map((e) => e.rule))).toEqual(
      new Set([
        'afterPreviousContact',
        'beforeNextContact',
        'onlyWhenContinues',
        'laterContactsFollow',
        'noPromiseMade',
        'notInFuture',
        'maxContacts',
        'withinCase',
        'afterAttempt',
        'within90Days',
        'onlyWhenUnresolved',
        'caseHasLaterContacts',
      ]),
    );
    for (const e of all) expect({ rule: e.rule, long: e.message.length > 25 }).toEqual({ rule: e.rule, long: true });
  });
});
