import { claimNeeds, decisionWeek, familySizes, OpenClaim, weeksLeft } from './claim-progress.js';
import { contactsNeededFor, judgeClaims } from './verdicts.js';

const GAPS = { answer_rate: 0.1, courtesy_avg: 0.5, median_seconds_to_human: 30, avg_seconds_to_human: 30 };

const claim = (over: Partial<OpenClaim> = {}): OpenClaim => ({
  id: 'c1',
  touchpointId: 'tp1',
  metric: 'answer_rate',
  value: 0.95,
  periodStart: '2027-01-04',
  periodEnd: '2027-01-31',
  contactsSoFar: 0,
  pending: 0,
  ...over,
});

describe('claimNeeds', () => {
  it('is the contacts judgeClaims reports as needed, at the family of the claims ending the same week', () => {
    const claims = [
      claim({ id: 'a' }),
      claim({ id: 'b', value: 0.8, periodEnd: '2027-01-29' }),
      claim({ id: 'c', periodEnd: '2027-02-28' }),
    ];
    const needs = claimNeeds(claims, { gapThatMatters: GAPS });
    // a and b end in the week of 25 January: a family of two; c alone
    const judged = judgeClaims(
      ['a', 'b'].map((id, i) => ({
        id,
        claimed: [0.95, 0.8][i],
        better: 'higher' as const,
        evidence: { kind: 'rate' as const, n: 0, successes: 0 },
        periodComplete: true,
        minContacts: 0,
        gapThatMatters: 0.1,
      })),
    );
    expect(needs[0].needed).toBe(Math.max(5, judged.get('a')!.contactsNeeded!));
    expect(needs[1].needed).toBe(Math.max(5, judged.get('b')!.contactsNeeded!));
    const alone = contactsNeededFor(
      {
        id: 'c',
        claimed: 0.95,
        better: 'higher',
        evidence: { kind: 'rate', n: 0, successes: 0 },
        periodComplete: false,
        minContacts: 5,
        gapThatMatters: 0.1,
      },
      1,
    );
    expect(needs[2].needed).toBe(alone);
    // A family of three or more asks more of each claim (Holm's first step falls below 2.5 %).
    const three = claimNeeds([...claims, claim({ id: 'd', periodEnd: '2027-01-30' })], { gapThatMatters: GAPS });
    expect(three[0].needed!).toBeGreaterThan(alone!);
  });

  it('subtracts the contacts so far, never below 0, and never decides a descriptive metric', () => {
    const [some, many, mean] = claimNeeds(
      [
        claim({ id: 'some', contactsSoFar: 10 }),
        claim({ id: 'many', periodEnd: '2027-03-31', contactsSoFar: 10_000 }),
        claim({ id: 'mean', metric: 'avg_seconds_to_human', value: 40 }),
      ],
      { gapThatMatters: GAPS },
    );
    expect(some.stillNeeded).toBe(some.needed! - 10);
    expect(many.stillNeeded).toBe(0);
    expect(mean).toEqual({ id: 'mean', needed: null, stillNeeded: null });
  });

  it('does not depend on what the contacts showed: waits use the default spread, ratings no observed mean', () => {
    const wait = claimNeeds([claim({ metric: 'median_seconds_to_human', value: 60 })], { gapThatMatters: GAPS })[0];
    const rating = claimNeeds([claim({ metric: 'courtesy_avg', value: 4.2 })], { gapThatMatters: GAPS })[0];
    expect(wait.needed).toBeGreaterThan(5);
    expect(rating.needed).toBeGreaterThan(5);
  });
});

describe('familySizes', () => {
  it('counts tested claims ending in the same ISO week', () => {
    const sizes = familySizes([
      { id: 'a', metric: 'answer_rate', periodEnd: '2027-01-25' },
      { id: 'b', metric: 'answer_rate', periodEnd: '2027-01-31' },
      { id: 'c', metric: 'avg_seconds_to_human', periodEnd: '2027-01-31' },
      { id: 'd', metric: 'answer_rate', periodEnd: '2027-02-01' },
    ]);
    expect(Object.fromEntries(sizes)).toEqual({ a: 2, b: 2, d: 1 });
  });
});

describe('weeksLeft', () => {
  it('counts the weeks from the planned Monday to the week of the last day, both included', () => {
    expect(weeksLeft('2027-01-31', '2027-01-04')).toBe(4);
    expect(weeksLeft('2027-01-25', '2027-01-25')).toBe(1);
    expect(weeksLeft('2027-01-24', '2027-01-25')).toBe(0);
  });
});

describe('decisionWeek', () => {
  const need = (still: number | null) => ({ id: 'c', needed: still, stillNeeded: still });
  const c = { periodEnd: '2027-01-31' };
  it('counts the planned tests week by week, then the current pace after the last planned week', () => {
    expect(decisionWeek(c, need(12), [], 4, '2027-01-04')).toBe('2027-01-18');
    expect(decisionWeek(c, need(12), [], 3, '2027-01-04')).toBe('2027-01-25');
    expect(decisionWeek(c, need(0), [], 3, '2027-01-04')).toBe('2027-01-04');
    const planned = [
      { week: '2027-01-11', tests: 6 },
      { week: '2027-01-04', tests: 6 },
    ];
    expect(decisionWeek(c, need(12), planned, 0, '2027-01-04')).toBe('2027-01-11');
    expect(decisionWeek(c, need(10), planned, 0, '2027-01-04')).toBe('2027-01-11');
    // 12 planned by the week of 11 January, 4 more at 2 a week: the weeks of 18 and 25 January
    expect(decisionWeek(c, need(16), planned, 2, '2027-01-04')).toBe('2027-01-25');
    // a test planned last week and not yet done still counts, this week
    expect(decisionWeek(c, need(1), [{ week: '2026-12-28', tests: 1 }], 0, '2027-01-04')).toBe('2027-01-04');
  });
  it('is null when the period ends first, no tests come, or the claim is never decided', () => {
    expect(decisionWeek(c, need(13), [], 3, '2027-01-04')).toBeNull();
    expect(decisionWeek(c, need(5), [], 0, '2027-01-04')).toBeNull();
    expect(decisionWeek(c, need(null), [], 5, '2027-01-04')).toBeNull();
    expect(decisionWeek(c, need(17), [{ week: '2027-01-04', tests: 6 }], 3, '2027-01-04')).toBeNull();
  });
});
