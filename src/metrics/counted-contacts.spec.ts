import { METRIC_PROJECTION, projectionOf, sumsIn } from './counted-contacts.js';
import { EMPTY_SUMS, metricByKey, METRICS } from './metric-catalogue.js';

const metric = (key: string) => metricByKey(key)!;
const prefixOf = (key: string) => `m${METRICS.findIndex((m) => m.key === key)}_`;

describe('the metric projection', () => {
  it('selects the count, the ad-hoc count and every catalogue metric under the names projectionOf reads', () => {
    const names = [...METRIC_PROJECTION.matchAll(/ AS (\w+)/g)].map((m) => m[1]);
    expect(names.slice(0, 2)).toEqual(['contacts', 'ad_hoc']);
    for (const [i, m] of METRICS.entries()) {
      expect(names).toEqual(expect.arrayContaining([`m${i}_n`, `m${i}_s`]));
      expect(names.includes(`m${i}_ss`)).toBe(m.kind === 'bounded_mean');
      expect(names.includes(`m${i}_v`)).toBe(m.kind === 'quantile');
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads a row back typed: PostgreSQL numerics as numbers, each metric by its key', () => {
    const rate = prefixOf('answer_rate');
    const rating = prefixOf('courtesy_avg');
    const median = prefixOf('median_seconds_to_human');
    const row = {
      contacts: 12,
      ad_hoc: 3,
      [`${rate}n`]: '12',
      [`${rate}s`]: 9,
      [`${rating}n`]: 9,
      [`${rating}s`]: '36',
      [`${rating}ss`]: 150,
      [`${median}n`]: 9,
      [`${median}s`]: 1200,
      [`${median}v`]: '95.5',
    };
    const group = projectionOf(row);
    expect(group).toMatchObject({ contacts: 12, adHoc: 3 });
    expect(sumsIn(group, metric('answer_rate'))).toEqual({ n: 12, sum: 9, sumOfSquares: null, value: null });
    expect(sumsIn(group, metric('courtesy_avg'))).toEqual({ n: 9, sum: 36, sumOfSquares: 150, value: null });
    const waits = sumsIn(group, metric('median_seconds_to_human'));
    expect(waits).toEqual({ n: 9, sum: 1200, sumOfSquares: null, value: 95.5 });
    // a metric with no value on any contact of the group (count 0, sum NULL)
    expect(sumsIn(projectionOf({ contacts: 2, ad_hoc: 0 }), metric('promise_kept_rate'))).toEqual(EMPTY_SUMS);
  });

  it('has nothing for a group with no contacts', () => {
    for (const m of METRICS) expect(sumsIn(undefined, m)).toEqual(EMPTY_SUMS);
  });
});
