import fc from 'fast-check';

import { metricByKey } from '../metrics/metric-catalogue.js';
import type { MetricSums } from '../metrics/metric-catalogue.js';
import { simulateFalseFlags } from './unclaimed-simulation.js';
import { capFacts, judgeFacts, summariseQuestion, targetPValue, unclaimedExplanation } from './unclaimed.js';
import type { FactGroup, UnclaimedFact } from './unclaimed.js';
import { judgeClaims } from './verdicts.js';

const sums = (n: number, sum: number, value: number | null = null): MetricSums => ({
  n,
  sum,
  sumOfSquares: null,
  value,
});
const gaps = { transfer_rate: 0.1, gave_name_rate: 0.1, median_hold_seconds: 30 };
const rateGroup = (key: string, now: MetricSums, before: MetricSums): FactGroup => ({
  touchpointId: 'tp',
  team: null,
  channel: 'phone',
  scopeLabel: 'General line',
  metric: metricByKey(key)!,
  now,
  before,
  quantile: null,
});

describe('judgeFacts', () => {
  it('flags a rate clearly worse than its target, and not one within reach of it', () => {
    const { facts, familySize } = judgeFacts(
      [rateGroup('transfer_rate', sums(30, 18), sums(0, 0)), rateGroup('gave_name_rate', sums(30, 17), sums(0, 0))],
      { targets: { transfer_rate: 0.2, gave_name_rate: 0.6 }, minContacts: 5, gapThatMatters: gaps },
    );
    expect(familySize).toBe(2);
    expect(facts[0]).toMatchObject({ observed: 0.6, n: 30, target: 0.2, flags: ['worse_than_target'] });
    expect(facts[0].ciLow).toBeGreaterThan(0.4);
    expect(facts[0].intervalMethod).toBe('clopper_pearson');
    // 17 of 30 gave a name against 60 %: a little below, not clearly
    expect(facts[1]).toMatchObject({ observed: 17 / 30, flags: [] });
    expect(facts[1].pTarget).toBeGreaterThan(0.1);
  });

  it('flags a rate clearly worse than the period before by a two-sample test, in the bad direction only', () => {
    const { facts } = judgeFacts(
      [
        rateGroup('transfer_rate', sums(20, 14), sums(20, 2)),
        rateGroup('gave_name_rate', sums(20, 18), sums(20, 4)), // far better than before: never flagged
      ],
      { targets: {}, minContacts: 5, gapThatMatters: gaps },
    );
    expect(facts[0]).toMatchObject({ previous: 0.1, previousN: 20, flags: ['worse_than_previous'] });
    expect(facts[1].flags).toEqual([]);
    expect(facts[1].pPrevious).toBeGreaterThan(0.99);
  });

  it('tests nothing below the minimum of contacts, and nothing without a target or a period before', () => {
    const { facts, familySize } = judgeFacts([rateGroup('transfer_rate', sums(4, 4), sums(20, 0))], {
      targets: { transfer_rate: 0 },
      minContacts: 5,
      gapThatMatters: gaps,
    });
    expect(familySize).toBe(0);
    expect(facts[0]).toMatchObject({ observed: 1, n: 4, pTarget: null, pPrevious: null, flags: [] });
  });

  it('holds the flags to one Holm family: a p that passes alone fails among many', () => {
    // 9 of 20 transferred against 20 %: one-sided exact p ≈ 0.013, below 2.5 % alone
    const alone = judgeFacts([rateGroup('transfer_rate', sums(20, 9), sums(0, 0))], {
      targets: { transfer_rate: 0.2 },
      minContacts: 5,
      gapThatMatters: gaps,
    });
    expect(alone.facts[0].flags).toEqual(['worse_than_target']);
    const many = judgeFacts(
      Array.from({ length: 10 }, () => rateGroup('transfer_rate', sums(20, 9), sums(0, 0))),
      { targets: { transfer_rate: 0.2 }, minContacts: 5, gapThatMatters: gaps },
    );
    expect(many.familySize).toBe(10);
    expect(many.facts.every((f) => f.flags.length === 0)).toBe(true);
  });

  it("tests a median hold by the sign test against its target and Mood's median test against the period before", () => {
    const hold: FactGroup = {
      ...rateGroup('median_hold_seconds', sums(20, 0, 600), sums(20, 0, 60)),
      quantile: { above: 18, below: 2, low: 400, high: 900, logSd: 1, nowAbovePooled: 17, beforeAbovePooled: 3 },
    };
    const { facts } = judgeFacts([hold], {
      targets: { median_hold_seconds: 120 },
      minContacts: 5,
      gapThatMatters: gaps,
    });
    expect(facts[0]).toMatchObject({
      observed: 600,
      previous: 60,
      ciLow: 400,
      ciHigh: 900,
      intervalMethod: 'order_statistics',
      flags: ['worse_than_target', 'worse_than_previous'],
    });
  });

  it('says how often a flag is wrong', () => {
    expect(unclaimedExplanation(0)).toMatch(/none is flagged/);
    expect(unclaimedExplanation(1)).toMatch(/1 digest in 40 \(2\.5 %\)/);
    expect(unclaimedExplanation(30)).toMatch(/1 digest in 20 \(5 %\)/);
  });
});

describe('targetPValue', () => {
  it("is the claims' own flattering-side p for rates and median waits, at every count", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 0, max: n }),
              fc.integer({ min: 0, max: n }),
              fc.double({ min: 0, max: 1, noNaN: true }),
              fc.constantFrom('transfer_rate', 'gave_name_rate', 'median_hold_seconds'),
            ),
          ),
        ([n, a, b, target, key]) => {
          const metric = metricByKey(key)!;
          const quantile = metric.kind === 'quantile';
          const [above, below] = [Math.min(a, b), Math.max(a, b) - Math.min(a, b)];
          const claimed = quantile ? target * 600 : target;
          const g: FactGroup = {
            ...rateGroup(key, sums(n, a, quantile ? 100 : null), sums(0, 0)),
            quantile: quantile
              ? { above, below, low: null, high: null, logSd: null, nowAbovePooled: 0, beforeAbovePooled: 0 }
              : null,
          };
          const evidence = quantile
            ? { kind: 'quantile' as const, q: 0.5, n, above, below }
            : { kind: 'rate' as const, n, successes: a };
          const judged = judgeClaims([
            {
              id: 'x',
              claimed,
              better: metric.better,
              evidence,
              periodComplete: true,
              minContacts: 0,
              gapThatMatters: 1,
            },
          ]).get('x')!;
          expect(targetPValue(g, claimed, 1)).toBeCloseTo(judged.pFlattering!, 12);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('simulated false flags (everything on target, nothing changed)', () => {
  it('stay under 5 % of digests: 10 touchpoints × 5 metrics × 2 tests, 20 contacts a period', () => {
    const r = simulateFalseFlags({ touchpoints: 10, contacts: 20, digests: 400, seed: 7 });
    expect(r.tests).toBe(100);
    expect(r.anyFlag).toBeLessThanOrEqual(0.05);
    expect(r.perTest).toBeLessThanOrEqual(0.025);
  });
});

describe('summariseQuestion', () => {
  const q = {
    scenarioId: 's',
    scenario: 'Port back',
    key: 'k',
    label: 'L',
    options: [],
    yes: 0,
    median: null,
    chosen: {},
  };
  it('gives a yes share with its exact interval, counts per option (unchosen too), and a median', () => {
    const yes = summariseQuestion({ ...q, type: 'yes_no', n: 10, yes: 3 });
    expect(yes).toMatchObject({ yes: 3, n: 10, choices: null, median: null });
    expect(yes.ciLow).toBeCloseTo(0.0667, 3); // Clopper–Pearson 3/10
    expect(yes.ciHigh).toBeCloseTo(0.6525, 3);
    const choice = summariseQuestion({
      ...q,
      type: 'choice',
      n: 5,
      options: ['shop', 'phone', 'post'],
      chosen: { phone: 3, shop: 2 },
    });
    expect(choice.choices).toEqual([
      { option: 'phone', count: 3 },
      { option: 'shop', count: 2 },
      { option: 'post', count: 0 },
    ]);
    expect(summariseQuestion({ ...q, type: 'seconds', n: 4, median: 95 }).median).toBe(95);
    expect(summariseQuestion({ ...q, type: 'yes_no', n: 0 })).toMatchObject({ ciLow: null, ciHigh: null });
  });
});

describe('capFacts', () => {
  const RATES = ['transfer_rate', 'gave_name_rate', 'disconnect_rate', 'repeat_story_rate'];
  /** `scopes` touchpoints of `perScope` facts each; the touchpoints named in `flagged` carry one flag. */
  const factsOf = (scopes: number, perScope: number, flagged: number[] = []): UnclaimedFact[] => {
    const groups = Array.from({ length: scopes }, (_, s) =>
      Array.from({ length: perScope }, (_, m) => rateGroup(RATES[m % 4], sums(10, 2), sums(0, 0))).map((g) => ({
        ...g,
        touchpointId: `tp${s}`,
        scopeLabel: `Touchpoint ${s}`,
      })),
    ).flat();
    return judgeFacts(groups, { targets: {}, minContacts: 5, gapThatMatters: gaps }).facts.map((f) => ({
      ...f,
      flags:
        flagged.includes(Number(f.touchpointId!.slice(2))) && f.metric === 'transfer_rate' ? ['worse_than_target'] : [],
    }));
  };

  it('lists every fact of a small section, in its order', () => {
    const facts = factsOf(3, 2, [2]);
    const { shown, omitted, scopesTotal } = capFacts(facts, 25);
    expect(shown.map((f) => f.touchpointId)).toEqual(['tp2', 'tp2', 'tp0', 'tp0', 'tp1', 'tp1']);
    expect(omitted).toEqual({ scopes: 0, facts: 0, flagged: 0 });
    expect(scopesTotal).toBe(3);
  });

  it('lists whole touchpoints, the flagged ones first wherever they sort, then others up to the cap', () => {
    const facts = factsOf(1000, 4, [7, 998]);
    const { shown, omitted, scopesTotal } = capFacts(facts, 25);
    const listed = [...new Set(shown.map((f) => f.touchpointId))];
    expect(listed.slice(0, 2)).toEqual(['tp7', 'tp998']);
    expect(listed).toHaveLength(25);
    expect(shown).toHaveLength(100);
    expect(shown.filter((f) => f.flags.length)).toHaveLength(2);
    expect(omitted).toEqual({ scopes: 975, facts: 3900, flagged: 0 });
    expect(scopesTotal).toBe(1000);
  });

  it('bounds the flagged too, counting those left out; and keeps the size of a bigger section the same', () => {
    const flagged = Array.from({ length: 60 }, (_, i) => i * 10);
    const { shown, omitted } = capFacts(factsOf(1000, 4, flagged), 25, 50);
    expect(shown.filter((f) => f.flags.length)).toHaveLength(50);
    expect(new Set(shown.map((f) => f.touchpointId)).size).toBe(50);
    expect(omitted).toEqual({ scopes: 950, facts: 3800, flagged: 10 });
    expect(capFacts(factsOf(4000, 4), 25).shown).toHaveLength(100);
  });
});
