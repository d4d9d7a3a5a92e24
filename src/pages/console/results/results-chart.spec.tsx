import { renderFragment } from '../../../common/jsx.js';
import type { MetricSeries, ResultsClaim } from '../../../results/results.service.js';
import { axisRange, ResultsChart } from './results-chart.js';

const week = (start: string, end: string, observed: number | null, ci: [number, number] | null = null) => ({
  start,
  end,
  observed,
  n: observed === null ? 0 : 10,
  ciLow: ci?.[0] ?? null,
  ciHigh: ci?.[1] ?? null,
});
const series: MetricSeries = {
  metric: 'answer_rate',
  unit: 'rate',
  better: 'higher',
  weeks: [
    week('2027-03-01T00:00:00.000Z', '2027-03-08T00:00:00.000Z', 0.8, [0.44, 0.97]),
    week('2027-03-08T00:00:00.000Z', '2027-03-15T00:00:00.000Z', null),
  ],
};
const claim: ResultsClaim = {
  claimId: 'c1',
  metric: 'answer_rate',
  claimed: 0.96,
  claimPeriod: { start: '2027-03-01', end: '2027-03-07' },
  source: 'Review',
  observed: 0.8,
  n: 10,
  ciLow: 0.44,
  ciHigh: 0.97,
  verdict: 'contradicted',
};

describe('ResultsChart', () => {
  it('draws each week with a value as a dot on its interval, and skips a week without one', () => {
    const svg = renderFragment(<ResultsChart id="c" title="t" series={series} claims={[]} zone="UTC" />);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg.match(/<g class="week">/g)).toHaveLength(1);
  });

  it('draws a claim across its own period, in its verdict’s colour, at its value', () => {
    const svg = renderFragment(<ResultsChart id="c" title="t" series={series} claims={[claim]} zone="UTC" />);
    const line = /<line class="claim" x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)"[^>]*stroke="([^"]+)"/.exec(svg)!;
    // the first of two weeks: from the left edge of the plot to its middle
    expect(Number(line[1])).toBe(48);
    expect(Number(line[2])).toBeCloseTo(48 + 302 / 2, 0);
    // 96 % of the way up a plot 144 high, from 12 down
    expect(Number(line[3])).toBeCloseTo(12 + 144 * 0.04, 0);
    expect(line[4]).toBe('#b00020');
  });

  it('labels each week by its Monday in the touchpoint’s own zone, not in UTC', () => {
    // Kolkata's Monday 1 March 2027 starts at 18:30 UTC on Sunday 28 February
    const kolkata: MetricSeries = {
      ...series,
      weeks: [week('2027-02-28T18:30:00.000Z', '2027-03-07T18:30:00.000Z', 0.8, [0.44, 0.97])],
    };
    const svg = renderFragment(<ResultsChart id="c" title="t" series={kolkata} claims={[]} zone="Asia/Kolkata" />);
    expect(svg).toContain('>1 Mar<');
    expect(svg).not.toContain('28 Feb');
  });

  it('escapes the title it is given, as every JSX text', () => {
    const svg = renderFragment(
      <ResultsChart id="c" title={'<script>x</script>'} series={series} claims={[]} zone="UTC" />,
    );
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script>');
  });
});

describe('axisRange', () => {
  it('keeps rates on 0–100 %, ratings on 1–5, and waits from 0 past the largest value, in whole minutes', () => {
    expect(axisRange(series, [])).toEqual([0, 1]);
    expect(axisRange({ ...series, unit: 'rating' }, [])).toEqual([1, 5]);
    const waits = { ...series, unit: 'seconds' as const, weeks: [week('a', 'b', 100, [80, 170])] };
    expect(axisRange(waits, [{ ...claim, claimed: 30 }])).toEqual([0, 240]);
  });
});
