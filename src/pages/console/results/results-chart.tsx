import { DateTime } from 'luxon';

import { VERDICT_COLOUR, VERDICT_TEXT } from '../../../digests/digest-render.js';
import { formatValue } from '../../../digests/format.js';
import type { MetricSeries, ResultsClaim } from '../../../results/results.service.js';

/** The chart's own coordinates: 360 wide, so at a 390 px phone one unit is about one pixel and 11 px text reads. */
const WIDTH = 360;
const HEIGHT = 190;
const PLOT = { left: 48, right: 10, top: 12, bottom: 34 };
const INK = '#333';
const OBSERVED = '#1d4e89';

/** The value range a metric's axis covers: rates 0–100 %, ratings 1–5, waits from 0 to a bit over the largest. */
export function axisRange(series: MetricSeries, claims: readonly ResultsClaim[]): [number, number] {
  if (series.unit === 'rate') return [0, 1];
  if (series.unit === 'rating') return [1, 5];
  const values = [...series.weeks.flatMap((w) => [w.observed, w.ciHigh]), ...claims.map((c) => c.claimed)].filter(
    (v): v is number => v !== null,
  );
  // contacts per case: from none to a whole number above the largest
  if (series.unit === 'count') return [0, Math.max(4, Math.ceil(Math.max(0, ...values) * 1.1))];
  const top = Math.max(60, ...values) * 1.1;
  // round the top up to whole minutes so the ticks read as durations
  return [0, Math.ceil(top / 60) * 60];
}

const ticksOf = (unit: MetricSeries['unit'], [low, high]: [number, number]): number[] =>
  unit === 'rating' ? [1, 2, 3, 4, 5] : [0, 0.25, 0.5, 0.75, 1].map((f) => low + f * (high - low));

/** A claim's period as instants for drawing: from its first date's midnight to its last date's end, in the zone. */
const claimSpan = (c: ResultsClaim, zone: string): [number, number] => [
  DateTime.fromISO(c.claimPeriod.start, { zone }).toMillis(),
  DateTime.fromISO(c.claimPeriod.end, { zone }).plus({ days: 1 }).toMillis(),
];

/**
 * One metric over the weeks, drawn on the server as SVG: each week's observed value as a dot on its 95 % interval,
 * each claim as a dashed line across its period in its verdict's colour. Text in the SVG is escaped as any JSX
 * text; the numbers stand in a table beside it for screen readers and for copying.
 */
export function ResultsChart(props: {
  series: MetricSeries;
  claims: readonly ResultsClaim[];
  title: string;
  id: string;
  /** The touchpoint's (or team's) zone: its weeks start on its own Monday, so their labels are dates there. */
  zone: string;
}) {
  const { series, claims } = props;
  const weeks = series.weeks;
  if (!weeks.length) return null;
  const t0 = Date.parse(weeks[0].start);
  const t1 = Date.parse(weeks[weeks.length - 1].end);
  const [low, high] = axisRange(series, claims);
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const x = (t: number) => PLOT.left + ((t - t0) / Math.max(1, t1 - t0)) * plotW;
  const y = (v: number) => PLOT.top + plotH - ((Math.min(high, Math.max(low, v)) - low) / (high - low)) * plotH;
  const r = (n: number) => Math.round(n * 10) / 10;
  const labelEvery = Math.ceil(weeks.length / 6);
  const drawn = claims
    .map((c) => ({ c, span: claimSpan(c, props.zone) }))
    .filter(({ span }) => span[1] > t0 && span[0] < t1);
  return (
    <svg
      class="results-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${props.id}-title`}
      font-family="DejaVu Sans, Verdana, sans-serif"
      font-size="11"
    >
      <title id={`${props.id}-title`}>{props.title}</title>
      {ticksOf(series.unit, [low, high]).map((v) => (
        <g key={`tick-${v}`}>
          <line x1={PLOT.left} x2={WIDTH - PLOT.right} y1={r(y(v))} y2={r(y(v))} stroke="#ddd" />
          <text x={PLOT.left - 4} y={r(y(v) + 4)} text-anchor="end" fill={INK}>
            {formatValue(series.unit, v)}
          </text>
        </g>
      ))}
      {weeks.map((w, i) =>
        i % labelEvery === 0 ? (
          <text key={`label-${w.start}`} x={r(x(Date.parse(w.start)))} y={HEIGHT - PLOT.bottom + 16} fill={INK}>
            {DateTime.fromISO(w.start, { zone: props.zone }).toFormat('d LLL')}
          </text>
        ) : null,
      )}
      {drawn.map(({ c, span }) => (
        <line
          key={`claim-${c.claimId}`}
          class="claim"
          x1={r(x(Math.max(t0, span[0])))}
          x2={r(x(Math.min(t1, span[1])))}
          y1={r(y(c.claimed))}
          y2={r(y(c.claimed))}
          stroke={VERDICT_COLOUR[c.verdict]}
          stroke-width="2.5"
          stroke-dasharray="6 3"
        />
      ))}
      {weeks.map((w) => {
        if (w.observed === null) return null;
        const cx = r(x((Date.parse(w.start) + Date.parse(w.end)) / 2));
        return (
          <g key={`week-${w.start}`} class="week">
            {w.ciLow !== null && w.ciHigh !== null && (
              <line x1={cx} x2={cx} y1={r(y(w.ciLow))} y2={r(y(w.ciHigh))} stroke={OBSERVED} stroke-width="2" />
            )}
            <circle cx={cx} cy={r(y(w.observed))} r="3.5" fill={OBSERVED} />
          </g>
        );
      })}
      <line x1={PLOT.left} x2={PLOT.left} y1={PLOT.top} y2={HEIGHT - PLOT.bottom} stroke={INK} />
      <text x={4} y={HEIGHT - 4} fill={INK}>
        ● observed · │ 95 % interval · ╌ claim (colour: verdict)
      </text>
    </svg>
  );
}

/** The claims of one metric as a list under its chart: what was claimed, when, where it was said, and the verdict. */
export function ClaimsLegend(props: { unit: MetricSeries['unit']; claims: readonly ResultsClaim[] }) {
  if (!props.claims.length) return <p class="hint">No claim of this metric in these weeks.</p>;
  return (
    <ul class="claims">
      {props.claims.map((c) => (
        <li key={c.claimId}>
          Claimed <strong>{formatValue(props.unit, c.claimed)}</strong> for {c.claimPeriod.start} – {c.claimPeriod.end}{' '}
          ({c.source}): observed {formatValue(props.unit, c.observed)}, n {c.n},{' '}
          <strong style={`color:${VERDICT_COLOUR[c.verdict]}`}>{VERDICT_TEXT[c.verdict]}</strong>
        </li>
      ))}
    </ul>
  );
}
