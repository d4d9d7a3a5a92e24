import { formatDuration } from '../common/durations.js';
import type { MetricDefinition } from '../metrics/metric-catalogue.js';

/** How a metric's values read (a share, a wait, a 1–5 rating): one formatter for the digest, its sections, pages. */
type MetricUnit = MetricDefinition['unit'];

/** A metric's value as a reader says it: 96 %, 1:35, 4.2. */
export function formatValue(unit: MetricUnit, value: number | null): string {
  if (value === null) return '–';
  // 0 % rather than 0.0 %: nothing is not a small share
  if (unit === 'rate') return `${(value * 100).toFixed(value * 100 >= 10 || value === 0 ? 0 : 1)} %`;
  if (unit === 'seconds') return formatDuration(value);
  return value.toFixed(1);
}

/** A size of difference (no sign): 12 pts, 0:45, 0.4. */
export function formatSize(unit: MetricUnit, size: number | null): string {
  if (size === null) return '–';
  if (unit === 'rate') return `${Number((size * 100).toFixed(size * 100 >= 10 ? 0 : 1))} pts`;
  return unit === 'rating' ? size.toFixed(1) : formatValue(unit, size);
}

/** observed − claimed with its sign, and better or worse for this metric (a rise in transfers is worse). */
export function formatGap(row: {
  gap: number | null;
  gapDirection: 'better' | 'worse' | 'same' | null;
  unit: MetricUnit;
}): string {
  if (row.gap === null) return '–';
  const sign = row.gap > 0 ? '+' : row.gap < 0 ? '−' : '±';
  const word = row.gapDirection === 'better' ? ' better' : row.gapDirection === 'worse' ? ' worse' : '';
  return `${sign}${formatSize(row.unit, Math.abs(row.gap))}${word}`;
}
