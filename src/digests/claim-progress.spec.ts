import {
  claimNeeds,
  decisionWeek,
  familySizes,
  OpenClaim,
  planningYield,
  PLANNING_YIELD,
  smallerFamilies,
  weekFamilySizes,
  weeksLeft,
} from './claim-progress.js';
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
  testsSoFar: 0,
  pending: 0,
  ...over,
});

describe('claimNeeds', () => {
  it('is the contacts judgeClaims reports as needed, at the family of the claims judged with it', () => {
    const claims = [
      claim({ id: 'a' }),
      claim({ id: 'b', value: 0.8, periodEnd: '2027-01-29' }),
      claim({ id: 'c', periodStart: '2027-06-01', periodEnd: '2027-06-28' }),
    ];
    const needs = claimNeeds(claims, { gapThatMatters: GAPS });
    // a and b overlap: a family of two; c alone
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
    expect(mean).toEqual({ id: 'mean', needed: null, stillNeeded: null, testsStillNeeded: null });
  });

  it("asks for tests by the count of tests completed, never by how many were answered (issue 16's exception)", () => {
    const wait = { metric: 'median_seconds_to_human', value: 60 };
    // two lines with 40 completed tests each: one answered 38 of them, the other 20
    const [good, poor] = claimNeeds(
      [
        claim({ id: 'good', ...wait, contactsSoFar: 38, testsSoFar: 40 }),
        claim({ id: 'poor', ...wait, touchpointId: 'tp2', contactsSoFar: 20, testsSoFar: 40 }),
      ],
      { gapThatMatters: GAPS },
    );
    // what is shown differs (the contacts the verdict rests on), what is planned on does not
    expect(poor.stillNeeded).toBe(good.stillNeeded! + 18);
    expect(poor.testsStillNeeded).toBe(good.testsStillNeeded);
    // a wait is planned at a fixed yield of answered contacts per completed test, not the line's own
    expect(good.testsStillNeeded).toBe(Math.ceil(good.needed! / PLANNING_YIELD.median_seconds_to_human) - 40);
    expect(planningYield('answer_rate')).toBe(1);
    const rate = claimNeeds([claim({ contactsSoFar: 30, testsSoFar: 30 })], { gapThatMatters: GAPS })[0];
    expect(rate.testsStillNeeded).toBe(rate.stillNeeded);
  });

  it('does not depend on what the contacts showed: waits use the default spread, ratings no observed mean', () => {
    const wait = claimNeeds([claim({ metric: 'median_seconds_to_human', value: 60 })], { gapThatMatters: GAPS })[0];
    const rating = claimNeeds([claim({ metric: 'courtesy_avg', value: 4.2 })], { gapThatMatters: GAPS })[0];
    expect(wait.needed).toBeGreaterThan(5);
    expect(rating.needed).toBeGreaterThan(5);
  });
});

describe('familySizes', () => {
  const c = (id: string, periodStart: string, periodEnd: string, metric = 'answer_rate') => ({
    id,
    metric,
    periodStart,
    periodEnd,
  });

  it('counts the tested claims whose period overlaps its own: every claim a digest judging it may judge', () => {
    const sizes = familySizes([
      c('month', '2027-01-04', '2027-01-31'),
      c('week1', '2027-01-04', '2027-01-10'),
      c('week4', '2027-01-25', '2027-01-31'),
      c('mean', '2027-01-04', '2027-01-31', 'avg_seconds_to_human'),
      c('next', '2027-02-01', '2027-02-28'),
    ]);
    // the month is judged with both weeks (a four-weekly digest); a week with the month; the mean is never tested;
    // February's month, alone so far, is planned for the three claims of the four weeks before it
    expect(Object.fromEntries(sizes)).toEqual({ month: 3, week1: 2, week4: 2, next: 3 });
  });

  it('plans for the claims not yet entered: at least the family of the span of the same length before', () => {
    // four weekly claims in December's last four weeks; January's month claim is entered with only its first week
    const december = ['2026-12-07', '2026-12-14', '2026-12-21', '2026-12-28'].map((m, i) =>
      c(`dec${i}`, m, new Date(Date.parse(m) + 6 * 86_400_000).toISOString().slice(0, 10)),
    );
    const sizes = familySizes([
      ...december,
      c('month', '2027-01-04', '2027-01-31'),
      c('week1', '2027-01-04', '2027-01-10'),
    ]);
    // overlapping now: the month and week 1 (2); the four weeks before held four weekly claims (4)
    expect(sizes.get('month')).toBe(4);
    expect(sizes.get('week1')).toBe(2); // the week before held one weekly claim; now it is judged with the month
  });

  it('never plans for a smaller family than the claims ending in its week (what a weekly digest judges)', () => {
    const claims = [
      c('a', '2027-01-04', '2027-01-25'),
      c('b', '2027-01-26', '2027-01-31'),
      c('d', '2027-02-01', '2027-02-01'),
    ];
    expect(Object.fromEntries(familySizes(claims))).toEqual({ a: 2, b: 2, d: 1 });
  });
});

describe('weekFamilySizes', () => {
  it('counts tested claims ending in the same ISO week (what a weekly digest judges together)', () => {
    const sizes = weekFamilySizes([
      { id: 'a', metric: 'answer_rate', periodStart: '2027-01-04', periodEnd: '2027-01-25' },
      { id: 'b', metric: 'answer_rate', periodStart: '2027-01-04', periodEnd: '2027-01-31' },
      { id: 'c', metric: 'avg_seconds_to_human', periodStart: '2027-01-04', periodEnd: '2027-01-31' },
      { id: 'd', metric: 'answer_rate', periodStart: '2027-01-04', periodEnd: '2027-02-01' },
    ]);
    expect(Object.fromEntries(sizes)).toEqual({ a: 2, b: 2, d: 1 });
  });

  it('gives claimNeeds the tests still needed at smaller families, down to that one, largest first', () => {
    const claims = [
      claim({ id: 'month' }),
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => claim({ id: `w${i}`, periodStart: '2027-01-11', periodEnd: '2027-01-17' })),
    ];
    const [month] = claimNeeds(claims, { gapThatMatters: GAPS });
    // planned for a family of 8 (the weeks overlap it), judged at least alone (nothing else ends in its week)
    const alone = claimNeeds([claim({ id: 'month' })], { gapThatMatters: GAPS })[0].needed!;
    const fallbacks = month.testsStillNeededFallbacks!;
    expect(fallbacks.at(-1)).toBe(alone);
    for (const [i, n] of fallbacks.entries())
      expect(n).toBeLessThan(i === 0 ? month.testsStillNeeded! : fallbacks[i - 1]);
  });

  it('tries a few family sizes between the two, each about two thirds of the one before', () => {
    expect(smallerFamilies(12, 3)).toEqual([8, 6, 4, 3]);
    expect(smallerFamilies(3, 3)).toEqual([]);
    expect(smallerFamilies(2, 1)).toEqual([1]);
    expect(smallerFamilies(40, 1)).toEqual([27, 18, 12, 8, 6, 4, 3, 2, 1]);
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
