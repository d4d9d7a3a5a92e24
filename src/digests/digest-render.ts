import { DateTime } from 'luxon';
import { escapeHtml } from '../common/html.js';
import { renderDigestChart } from './digest-chart.js';
import type { ChartRow } from './digest-chart.js';
import type { DigestPayload, DigestRow } from './digest-builder.service.js';

const e = escapeHtml;

const VERDICT_TEXT: Record<DigestRow['verdict'], string> = {
  contradicted: 'contradicted',
  better_than_claimed: 'better than claimed',
  consistent: 'consistent',
  too_few_contacts: 'too few contacts',
};
const VERDICT_COLOUR: Record<DigestRow['verdict'], string> = {
  contradicted: '#b00020',
  better_than_claimed: '#137333',
  consistent: '#444',
  too_few_contacts: '#777',
};

/** A metric's value as a reader says it: 96 %, 1:35, 4.2. */
export function formatValue(unit: DigestRow['unit'], value: number | null): string {
  if (value === null) return '–';
  if (unit === 'rate') return `${(value * 100).toFixed(value * 100 >= 10 ? 0 : 1)} %`;
  if (unit === 'seconds') {
    // m:ss below an hour, h:mm:ss above (a t interval's low end can fall below zero)
    if (value < 0) return `−${formatValue(unit, -value)}`;
    const total = Math.round(value);
    const ss = String(total % 60).padStart(2, '0');
    return total < 3600 ? `${Math.floor(total / 60)}:${ss}` : `${Math.floor(total / 3600)}:${String(Math.floor(total / 60) % 60).padStart(2, '0')}:${ss}`;
  }
  return value.toFixed(1);
}

function formatGap(row: DigestRow): string {
  if (row.gap === null) return '–';
  const sign = row.gap > 0 ? '+' : row.gap < 0 ? '−' : '±';
  const size = Math.abs(row.gap);
  return row.unit === 'rate' ? `${sign}${(size * 100).toFixed(0)} pts` : `${sign}${formatValue(row.unit, size)}`;
}

const metricLabel = (metric: string) => metric.replace(/_/g, ' ');

export function chartRows(payload: DigestPayload): ChartRow[] {
  return payload.rows.map((r) => ({
    label: `${r.scopeLabel} · ${metricLabel(r.metric)}`,
    unit: r.unit,
    observed: r.observed,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    claimed: r.claimed,
    verdict: r.verdict,
  }));
}

export function periodText(payload: DigestPayload, zone: string): string {
  const start = DateTime.fromISO(payload.period.start, { zone }).setLocale('en-GB');
  const end = DateTime.fromISO(payload.period.end, { zone }).minus({ milliseconds: 1 }).setLocale('en-GB');
  return `${start.toFormat('d LLL yyyy')} – ${end.toFormat('d LLL yyyy')}`;
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

/**
 * The digest as mail (HTML with the chart inline by cid, and plain text) or as a web page (the
 * chart from its own URL). Both come from the stored payload, so they say exactly the same.
 */
export function renderDigest(payload: DigestPayload, ctx: { name: string; zone: string; link: string; chartSrc: string }): RenderedDigest {
  const period = periodText(payload, ctx.zone);
  const title = `${ctx.name}: ${payload.headline} (${period})`;
  const table = payload.rows
    .map(
      (r) => `<tr>
<td>${e(r.scopeLabel)}</td><td>${e(metricLabel(r.metric))}</td>
<td style="text-align:right">${e(formatValue(r.unit, r.claimed))}</td>
<td style="text-align:right">${e(formatValue(r.unit, r.observed))}</td>
<td style="text-align:right">${r.ciLow === null || r.ciHigh === null ? '–' : `${e(formatValue(r.unit, r.ciLow))} – ${e(formatValue(r.unit, r.ciHigh))}`}</td>
<td style="text-align:right">${r.n}</td>
<td style="text-align:right">${e(formatGap(r))}</td>
<td style="color:${VERDICT_COLOUR[r.verdict]};font-weight:600">${e(VERDICT_TEXT[r.verdict])}</td>
</tr>`,
    )
    .join('\n');
  const c = payload.coverage;
  const coverage = `planned ${c.planned}, completed ${c.completed}, missed ${c.missed}, declined ${c.declined}, unfilled ${c.unfilled}`;
  const notes = payload.notes.map((n) => `<li><strong>${e(n.touchpoint)}</strong> (${e(n.resolution)}): ${e(n.notes)}</li>`).join('\n');
  const missed = payload.missedTesters.map((m) => `<li>${e(m.name)}: ${m.missed}</li>`).join('\n');
  const trend = payload.trend
    .filter((t) => t.change !== null)
    .map((t) => {
      const row = payload.rows.find((r) => r.claimId === t.claimId)!;
      return `<li>${e(t.scopeLabel)} · ${e(metricLabel(t.metric))}: ${e(formatValue(row.unit, t.previous))} → ${e(formatValue(row.unit, t.current))}</li>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title></head>
<body style="font-family:system-ui,-apple-system,sans-serif;max-width:60em;margin:auto;padding:1rem;line-height:1.45;color:#1b1b1b">
<h1 style="font-size:1.4rem">${e(payload.headline)}</h1>
<p>${e(ctx.name)} · ${e(period)} · verdicts need at least ${payload.minContacts} contacts.</p>
<p><img src="${e(ctx.chartSrc)}" alt="Claims against observed 95 % intervals" style="max-width:100%;height:auto"></p>
<table style="border-collapse:collapse;width:100%;font-size:.95rem" cellpadding="4">
<thead><tr style="text-align:left;border-bottom:1px solid #ccc"><th>scope</th><th>metric</th><th>claimed</th><th>observed</th><th>95 % interval</th><th>n</th><th>gap</th><th>verdict</th></tr></thead>
<tbody>
${table || '<tr><td colspan="8">No claims for this period.</td></tr>'}
</tbody></table>
<h2 style="font-size:1.1rem">Coverage</h2><p>${e(coverage)}</p>
${missed ? `<h2 style="font-size:1.1rem">Testers who missed their tests</h2><ul>${missed}</ul>` : ''}
${notes ? `<h2 style="font-size:1.1rem">From the worst contacts</h2><ul>${notes}</ul>` : ''}
${trend ? `<h2 style="font-size:1.1rem">Against the previous period</h2><ul>${trend}</ul>` : ''}
<p style="color:#555;font-size:.9rem">Intervals: Wilson score for rates, Student t for means, order statistics for medians (95 %). A claim is contradicted when it lies outside the interval on its flattering side. <a href="${e(ctx.link)}">This digest on the web</a>.</p>
</body></html>`;
  const text = [
    `${payload.headline}`,
    `${ctx.name} · ${period} · verdicts need at least ${payload.minContacts} contacts`,
    '',
    ...payload.rows.map(
      (r) =>
        `- ${r.scopeLabel} · ${metricLabel(r.metric)}: claimed ${formatValue(r.unit, r.claimed)}, observed ${formatValue(r.unit, r.observed)}` +
        `${r.ciLow === null || r.ciHigh === null ? '' : ` (95 % ${formatValue(r.unit, r.ciLow)}–${formatValue(r.unit, r.ciHigh)})`}, n ${r.n}, gap ${formatGap(r)}: ${VERDICT_TEXT[r.verdict]}`,
    ),
    '',
    `Coverage: ${coverage}`,
    ...(payload.missedTesters.length ? ['', 'Missed tests:', ...payload.missedTesters.map((m) => `- ${m.name}: ${m.missed}`)] : []),
    ...(payload.notes.length ? ['', 'From the worst contacts:', ...payload.notes.map((n) => `- ${n.touchpoint} (${n.resolution}): ${n.notes}`)] : []),
    '',
    `On the web: ${ctx.link}`,
  ].join('\n');
  return { subject: title.replace(/\s+/g, ' '), text, html };
}

/** The digest's chart as PNG, the same in the mail, on the web page and in the CLI's file. */
export function digestChartPng(payload: DigestPayload, name: string, zone: string): Buffer {
  return renderDigestChart(chartRows(payload), { title: `${name} · ${periodText(payload, zone)}` });
}

/** The chart inline, for a page that stands alone (the CLI's file). */
export function chartDataUri(payload: DigestPayload, name: string, zone: string): string {
  return `data:image/png;base64,${digestChartPng(payload, name, zone).toString('base64')}`;
}
