import { DateTime } from 'luxon';

import { renderDocument } from '../common/jsx.js';
import type { DigestPayload, DigestRow } from './digest-builder.service.js';
import { digestChartSvg, renderDigestChart } from './digest-chart.js';
import type { ChartRow } from './digest-chart.js';
import type { TouchpointCoverage } from './digest-evidence.repository.js';
import { UnclaimedHtml, unclaimedText } from './digest-unclaimed-render.js';
import { formatGap, formatSize, formatValue } from './format.js';

/**
 * Gmail clips a message whose HTML passes 102 kB and hides the rest behind a link; the transfer encoding
 * adds to the HTML's size on the way, so a digest mail keeps its HTML under 90,000 bytes.
 */
export const MAIL_HTML_BUDGET = 90_000;

export const VERDICT_TEXT: Record<DigestRow['verdict'], string> = {
  contradicted: 'contradicted',
  better_than_claimed: 'better than claimed',
  consistent: 'consistent',
  inconclusive: 'inconclusive',
  in_progress: 'in progress',
  too_few_contacts: 'too few contacts',
  not_tested: 'not tested',
};
export const VERDICT_COLOUR: Record<DigestRow['verdict'], string> = {
  contradicted: '#b00020',
  better_than_claimed: '#137333',
  consistent: '#444',
  inconclusive: '#8a5a00',
  in_progress: '#1d4e89',
  too_few_contacts: '#666', // #777 on white misses WCAG AA's 4.5:1
  not_tested: '#666',
};
const GAP_COLOUR = { worse: '#b00020', better: '#137333', same: '#444' } as const;

/** What it would take: "240 for 10 pts", and for a claim in progress "· 180 more, by the week of 17 May". */
function formatNeeded(row: DigestRow): string {
  if (row.contactsNeededOverCap) return `over 100,000 for ${formatSize(row.unit, row.gapThatMatters)}`;
  if (row.contactsNeeded === null) return '–';
  return `${row.contactsNeeded.toLocaleString('en-GB')} for ${formatSize(row.unit, row.gapThatMatters)}${progressText(row)}`;
}

/** A claim in progress: how many more contacts, and the week they should be in (or that they will not be). */
function progressText(row: DigestRow): string {
  if (row.contactsStillNeeded === null || row.contactsStillNeeded === undefined) return '';
  const more = `${row.contactsStillNeeded.toLocaleString('en-GB')} more`;
  if (row.contactsStillNeeded === 0) return ' · enough';
  if (!row.decisionExpectedWeek) return ` · ${more}, not within its period at the current pace`;
  const week = DateTime.fromISO(row.decisionExpectedWeek, { zone: 'utc' }).toFormat('d LLL');
  return ` · ${more}, by the week of ${week}`;
}

/** The smallest gap the contacts could reveal; "none" when a tested claim's contacts could reveal no gap at all. */
function detectText(r: DigestRow): string {
  if (r.detectableGap !== null) return formatSize(r.unit, r.detectableGap);
  return ['contradicted', 'better_than_claimed', 'consistent', 'inconclusive'].includes(r.verdict) ? 'none' : '–';
}

const metricLabel = (metric: string) => metric.replace(/_/g, ' ');

/** Contacts seen but not counted: ad-hoc ones (unless the organization counts them) and the owner's. */
function asideText(r: DigestRow): string {
  const parts: string[] = [];
  if (r.adHoc.contacts && r.adHoc.counted) parts.push(`${r.adHoc.contacts} of them ad hoc`);
  if (r.adHoc.contacts && !r.adHoc.counted) {
    parts.push(`${r.adHoc.contacts} ad-hoc not counted (${formatValue(r.unit, r.adHoc.observed)})`);
  }
  if (r.ownerContacts) parts.push(`${r.ownerContacts} by the owner, never counted`);
  return parts.join('; ');
}

function intervalText(r: DigestRow): string {
  if (r.ciLow === null || r.ciHigh === null) return '–';
  return `${formatValue(r.unit, r.ciLow)} – ${formatValue(r.unit, r.ciHigh)}`;
}

export function chartRows(payload: DigestPayload, rows: readonly DigestRow[] = payload.rows): ChartRow[] {
  return rows.map((r) => ({
    label: `${r.scopeLabel} · ${metricLabel(r.metric)}`,
    unit: r.unit,
    observed: r.observed,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    claimed: r.claimed,
    verdict: r.verdict,
    channel: r.channel,
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
  /** The rows the rendering shows: all of them, or (a mail over its budget) the contradicted and inconclusive ones. */
  rows: DigestRow[];
  /** True when rows were left out to keep the mail under {@link MAIL_HTML_BUDGET}. */
  cut: boolean;
}

export interface RenderContext {
  name: string;
  zone: string;
  link: string;
  /** The chart: a PNG by cid in mail (drawn {@link PHONE_CHART_WIDTH} wide, so it reads on a phone), or a data URL. */
  chartSrc: string;
  /** On the web page: the chart drawn for a wide screen, shown instead of `chartSrc` from 600 px up. */
  chartWideSrc?: string;
}

/** The console's results page, on the digest link's host (relative where the link is none or not absolute). */
export function resultsLinkOf(ctx: Pick<RenderContext, 'link'>): string {
  return URL.canParse(ctx.link) ? new URL('/results', ctx.link).href : '/results';
}

/** The width (CSS px) of the chart a phone shows: the mail's PNG and the web page's narrow SVG. */
export const PHONE_CHART_WIDTH = 360;

const HEADERS = [
  'scope',
  'metric',
  'claimed',
  'observed',
  '95 % interval',
  'n',
  'gap',
  'verdict',
  'could detect',
  'contacts needed',
];

/**
 * (Single quotes: JSX escapes a double quote in a <style> too, which would break the CSS.)
 * Below 640 px each claim's row becomes a card: its scope and metric on top, then one line per figure, each named
 * by its column's header (mail programs that ignore this style scroll the table inside its own box instead).
 */
const PHONE_STYLE =
  '@media (max-width:640px){' +
  'table.claims,table.claims tbody,table.claims tr,table.claims td{display:block!important;width:auto!important}' +
  'table.claims thead{display:none!important}' +
  'table.claims tr{border:1px solid #ccc;border-radius:6px;margin:0 0 .6rem;padding:.35rem .6rem}' +
  'table.claims td{display:flex!important;justify-content:space-between;gap:1rem;text-align:right!important;' +
  'white-space:normal!important;padding:.1rem 0!important}' +
  'table.claims td:nth-child(-n+2){display:block!important;text-align:left!important}' +
  'table.claims td:first-child{font-weight:600}' +
  HEADERS.map((h, i) => (i < 2 ? '' : `table.claims td:nth-child(${i + 1})::before{content:'${h}';color:#555}`)).join(
    '',
  ) +
  'table.claims td[colspan]::before{content:none}' +
  '}';

const COVERAGE_COUNTS = ['planned', 'completed', 'missed', 'declined', 'unfilled'] as const;

/**
 * Below 640 px a touchpoint's coverage becomes one line of named counts under its name ("planned 3 completed 2 …"),
 * so five columns never push the mail wider than a phone.
 */
const COVERAGE_PHONE_STYLE =
  '@media (max-width:640px){' +
  'table.coverage,table.coverage tbody,table.coverage tr{display:block!important;width:auto!important}' +
  'table.coverage thead{display:none!important}' +
  'table.coverage tr{border-bottom:1px solid #ddd;padding:.3rem 0}' +
  'table.coverage td{display:inline-block!important;padding:0 .8rem 0 0!important;text-align:left!important}' +
  'table.coverage td:first-child{display:block!important;font-weight:600}' +
  COVERAGE_COUNTS.map((h, i) => `table.coverage td:nth-child(${i + 2})::before{content:'${h} ';color:#555}`).join('') +
  '}';

const RIGHT = 'text-align:right;white-space:nowrap';

/** Coverage touchpoint by touchpoint: a table on a wide screen, a name and a line of counts on a phone. */
function CoverageTable({ rows }: { rows: TouchpointCoverage[] }) {
  return (
    <div style="overflow-x:auto;max-width:100%">
      <table class="coverage" style="border-collapse:collapse;width:100%;font-size:.95rem" cellPadding="4">
        <thead>
          <tr style="text-align:left;border-bottom:1px solid #ccc">
            <th scope="col">touchpoint</th>
            {COVERAGE_COUNTS.map((h) => (
              <th scope="col" style="text-align:right">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>
                {r.touchpoint} <small style="color:#555">({r.channel.replace(/_/g, ' ')})</small>
              </td>
              {COVERAGE_COUNTS.map((k) => (
                <td style={RIGHT}>{r[k]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Tests that did not happen as planned at a touchpoint. */
const gaps = (r: TouchpointCoverage) => r.missed + r.declined + r.unfilled;

/** One touchpoint's coverage as a line of the plain-text part. */
const coverageLine = (r: TouchpointCoverage) =>
  `- ${r.touchpoint} (${r.channel.replace(/_/g, ' ')}): ${COVERAGE_COUNTS.map((k) => `${k} ${r[k]}`).join(', ')}`;

function ClaimRow({ r }: { r: DigestRow }) {
  const aside = asideText(r);
  const gapColour = r.gapDirection ? GAP_COLOUR[r.gapDirection] : '#444';
  return (
    <tr>
      <td>
        {r.scopeLabel}
        {aside ? (
          <>
            <br />
            <small style="color:#555">{aside}</small>
          </>
        ) : null}
      </td>
      <td>{metricLabel(r.metric)}</td>
      <td style={RIGHT}>{formatValue(r.unit, r.claimed)}</td>
      <td style={RIGHT}>{formatValue(r.unit, r.observed)}</td>
      <td style={RIGHT}>{intervalText(r)}</td>
      <td style={RIGHT}>{r.n}</td>
      <td style={`${RIGHT};color:${gapColour}`}>{formatGap(r)}</td>
      <td style={`color:${VERDICT_COLOUR[r.verdict]};font-weight:600`}>{VERDICT_TEXT[r.verdict]}</td>
      <td style={RIGHT}>{detectText(r)}</td>
      <td style="text-align:right">{formatNeeded(r)}</td>
    </tr>
  );
}

/** The claims as a table in mail-safe markup (inline styles), in a box that scrolls on its own if it must. */
function ClaimsTable({ rows, empty }: { rows: DigestRow[]; empty: string }) {
  return (
    <div style="overflow-x:auto;max-width:100%">
      <table class="claims" style="border-collapse:collapse;width:100%;font-size:.95rem" cellPadding="4">
        <thead>
          <tr style="text-align:left;border-bottom:1px solid #ccc">
            {HEADERS.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length ? (
            rows.map((r) => <ClaimRow r={r} />)
          ) : (
            <tr>
              <td colSpan={HEADERS.length}>{empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function rowText(r: DigestRow): string {
  const interval =
    r.ciLow === null || r.ciHigh === null
      ? ''
      : ` (95 % ${formatValue(r.unit, r.ciLow)}–${formatValue(r.unit, r.ciHigh)})`;
  const detect = detectText(r) === '–' ? '' : `; could detect ${detectText(r)}`;
  const needed = r.contactsNeeded === null && !r.contactsNeededOverCap ? '' : `, contacts needed ${formatNeeded(r)}`;
  const aside = asideText(r);
  return (
    `- ${r.scopeLabel} · ${metricLabel(r.metric)}: claimed ${formatValue(r.unit, r.claimed)}, ` +
    `observed ${formatValue(r.unit, r.observed)}${interval}, n ${r.n}, ` +
    `gap ${formatGap(r)}: ${VERDICT_TEXT[r.verdict]}` +
    `${detect}${needed}${aside ? ` [${aside}]` : ''}`
  );
}

/** The rows a mail over its budget keeps: those a reader must act on. */
const mustRead = (r: DigestRow) => r.verdict === 'contradicted' || r.verdict === 'inconclusive';

const H2 = ({ children }: { children: string }) => <h2 style="font-size:1.1rem">{children}</h2>;
const SMALL = 'color:#555;font-size:.9rem';
const CHART_ALT = 'Claims against observed 95 % intervals';

/** The chart: one picture on the web page (narrow or wide by the screen), the mail's PNG at a phone's width. */
function Chart({ ctx }: { ctx: RenderContext }) {
  const style = 'max-width:100%;height:auto';
  if (!ctx.chartWideSrc) return <img src={ctx.chartSrc} alt={CHART_ALT} width={PHONE_CHART_WIDTH} style={style} />;
  return (
    <picture>
      <source media="(min-width: 600px)" srcSet={ctx.chartWideSrc} />
      <img src={ctx.chartSrc} alt={CHART_ALT} style={style} />
    </picture>
  );
}

function renderWith(
  payload: DigestPayload,
  ctx: RenderContext,
  rows: DigestRow[],
  cutNote: string | null,
): RenderedDigest {
  const period = periodText(payload, ctx.zone);
  const title = `${ctx.name}: ${payload.headline} (${period})`;
  const judged = rows.filter((r) => r.verdict !== 'in_progress');
  const running = rows.filter((r) => r.verdict === 'in_progress');
  const shownIds = new Set(rows.map((r) => r.claimId));
  const rowById = new Map(rows.map((r) => [r.claimId, r]));
  const c = payload.coverage;
  const allTouchpoints = payload.coverageByTouchpoint ?? [];
  // a mail cut to its budget keeps the touchpoints with the most gaps; the web page has them all
  const byTouchpoint = cutNote ? [...allTouchpoints].sort((x, y) => gaps(y) - gaps(x)).slice(0, 20) : allTouchpoints;
  const touchpointsMore = allTouchpoints.length - byTouchpoint.length;
  const coverage =
    `planned ${c.planned}, completed ${c.completed}, missed ${c.missed}, ` +
    `declined ${c.declined}, unfilled ${c.unfilled}`;
  const counting = payload.countAdHocInVerdicts
    ? 'Verdicts count planned tests and ad-hoc contacts (this organization\u2019s setting)'
    : 'Verdicts count planned tests only; ad-hoc contacts are shown beside them';
  const delay = payload.delayDays
    ? `It goes to a touchpoint's owner, so it reports the period that ended ${payload.delayDays} days before it was ` +
      'sent: an owner sees a test a week after it happens. '
    : '';
  const rules =
    `${delay}${counting}. A contact never counts for a touchpoint its tester owns or owned when it was made. ` +
    'Each claim is judged once, on the contacts of its own period; ' +
    `verdicts need at least ${payload.minContacts} contacts.`;
  const trendItems = payload.trend.filter((t) => t.change !== null && shownIds.has(t.claimId));
  const trendText = (t: DigestPayload['trend'][number]) => {
    const unit = rowById.get(t.claimId)!.unit;
    const change = `${formatValue(unit, t.previous)} → ${formatValue(unit, t.current)}`;
    return `${t.scopeLabel} · ${metricLabel(t.metric)}: ${change}`;
  };
  const missedShown = cutNote ? payload.missedTesters.slice(0, 10) : payload.missedTesters;
  const missedMore = payload.missedTesters.length - missedShown.length;
  const terms =
    ' "Could detect": the smallest gap these contacts would reveal 4 times in 5; "contacts needed": how many ' +
    'it would take to reveal the gap that matters. Inconclusive: the contacts could not have revealed ' +
    'a gap that matters.';
  const methods =
    'Intervals (95 %): exact Clopper–Pearson for rates, a bounded-data interval for 1–5 ratings, ' +
    'order statistics ' +
    'for median and p90 waits; a mean wait is shown without an interval or a verdict (no test holds for it on ' +
    'heavy-tailed waits).';
  const html = renderDocument(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style>{PHONE_STYLE + COVERAGE_PHONE_STYLE}</style>
      </head>
      <body
        style={
          'font-family:system-ui,-apple-system,sans-serif;max-width:72em;margin:auto;padding:1rem;line-height:1.45;' +
          'color:#1b1b1b;overflow-wrap:break-word'
        }
      >
        <h1 style="font-size:1.4rem">{payload.headline}</h1>
        <p>
          {ctx.name} · {period}
        </p>
        <p>
          <strong>{payload.explanation}</strong>
        </p>
        {cutNote ? (
          <p style="background:#fff4ce;padding:.5rem">
            {cutNote} <a href={ctx.link}>The full digest on the web</a>.
          </p>
        ) : null}
        <p>
          <Chart ctx={ctx} />
        </p>
        <H2>Claims whose period ended</H2>
        <ClaimsTable
          rows={judged}
          empty={cutNote ? 'None of the claims shown here.' : 'No claim\u2019s period ended in this digest.'}
        />
        {running.length ? (
          <>
            <H2>Claims whose period is still running (not judged yet)</H2>
            <ClaimsTable rows={running} empty="" />
          </>
        ) : null}
        <p style={SMALL}>
          {rules}
          {terms}
        </p>
        {payload.unclaimed ? (
          <UnclaimedHtml section={payload.unclaimed} cut={cutNote !== null} resultsLink={resultsLinkOf(ctx)} />
        ) : null}
        <H2>Coverage</H2>
        <p>All touchpoints: {coverage}</p>
        {byTouchpoint.length ? <CoverageTable rows={byTouchpoint} /> : null}
        {touchpointsMore ? <p>and {touchpointsMore} more touchpoints on the web.</p> : null}
        {missedShown.length ? (
          <>
            <H2>Testers who missed their tests</H2>
            <ul>
              {missedShown.map((m) => (
                <li>
                  {m.name}: {m.missed}
                </li>
              ))}
            </ul>
            {missedMore ? <p>and {missedMore} more on the web.</p> : null}
          </>
        ) : null}
        {payload.notes.length ? (
          <>
            <H2>From the worst contacts</H2>
            <ul>
              {payload.notes.map((n) => (
                <li>
                  <strong>{n.touchpoint}</strong> ({n.resolution}
                  {n.adHoc ? ', ad hoc' : ''}): {n.notes}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {trendItems.length ? (
          <>
            <H2>Against the period before each claim</H2>
            <ul>
              {trendItems.map((t) => (
                <li>{trendText(t)}</li>
              ))}
            </ul>
          </>
        ) : null}
        <p style={SMALL}>
          {methods}
          {ctx.link ? (
            <>
              {' '}
              <a href={ctx.link}>This digest on the web</a>.
            </>
          ) : null}
        </p>
      </body>
    </html>,
  );
  const text = [
    payload.headline,
    `${ctx.name} · ${period}`,
    '',
    payload.explanation,
    ...(cutNote ? ['', `${cutNote} The full digest: ${ctx.link}`] : []),
    '',
    'Claims whose period ended:',
    ...(judged.length ? judged.map(rowText) : ['- none']),
    ...(running.length ? ['', 'Claims whose period is still running (not judged yet):', ...running.map(rowText)] : []),
    '',
    rules,
    ...(payload.unclaimed ? unclaimedText(payload.unclaimed, cutNote !== null, resultsLinkOf(ctx)) : []),
    '',
    `Coverage: ${coverage}`,
    ...byTouchpoint.map(coverageLine),
    ...(touchpointsMore ? [`- and ${touchpointsMore} more touchpoints on the web`] : []),
    ...(missedShown.length ? ['', 'Missed tests:', ...missedShown.map((m) => `- ${m.name}: ${m.missed}`)] : []),
    ...(missedMore ? [`- and ${missedMore} more on the web`] : []),
    ...(payload.notes.length
      ? [
          '',
          'From the worst contacts:',
          ...payload.notes.map((n) => `- ${n.touchpoint} (${n.resolution}${n.adHoc ? ', ad hoc' : ''}): ${n.notes}`),
        ]
      : []),
    '',
    `On the web: ${ctx.link}`,
  ].join('\n');
  return { subject: title.replace(/\s+/g, ' '), text, html, rows, cut: cutNote !== null };
}

/**
 * The digest as mail (HTML with the chart inline by cid, and plain text) or as a web page (the chart
 * from its own URL). Both come from the stored payload, so they say exactly the same. With
 * `maxHtmlBytes` (mail), a digest too large keeps only its contradicted and inconclusive rows (as many as
 * fit) and says so, with the link to the whole digest on the web.
 */
export function renderDigest(
  payload: DigestPayload,
  ctx: RenderContext,
  options: { maxHtmlBytes?: number } = {},
): RenderedDigest {
  const full = renderWith(payload, ctx, payload.rows, null);
  const budget = options.maxHtmlBytes;
  if (budget === undefined || Buffer.byteLength(full.html) <= budget) return full;
  const keep = payload.rows.filter(mustRead);
  const note = (shown: number) =>
    `This mail is cut to stay readable in every mail program: it shows ` +
    `${shown === keep.length ? 'the' : `${shown} of the`} ${keep.length} contradicted and inconclusive ` +
    `claim${keep.length === 1 ? '' : 's'} of the ${payload.rows.length} in this digest.`;
  // the most rows that fit: bisection on a prefix of the rows that must be read
  let [low, high] = [0, keep.length];
  let best = renderWith(payload, ctx, [], note(0));
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    const attempt = renderWith(payload, ctx, keep.slice(0, mid), note(mid));
    if (Buffer.byteLength(attempt.html) <= budget) {
      best = attempt;
      low = mid + 1;
    } else high = mid - 1;
  }
  return best;
}

/** The digest's chart as PNG, drawn for a phone at twice its pixels: the same in the mail and in the CLI's file. */
export function digestChartPng(
  payload: DigestPayload,
  name: string,
  zone: string,
  rows: readonly DigestRow[] = payload.rows,
): Buffer {
  const title = `${name} · ${periodText(payload, zone)}`;
  return renderDigestChart(chartRows(payload, rows), { title, width: PHONE_CHART_WIDTH, scale: 2 });
}

/** The chart as SVG, for a phone or for a wide screen (the web page shows one or the other). */
export function digestChartSvgs(payload: DigestPayload, name: string, zone: string): { narrow: string; wide: string } {
  const title = `${name} · ${periodText(payload, zone)}`;
  const rows = chartRows(payload);
  return { narrow: digestChartSvg(rows, { title, width: PHONE_CHART_WIDTH }), wide: digestChartSvg(rows, { title }) };
}

/** An SVG as a data URL for an <img>: the picture stays inert (no script runs in an image) and needs no request. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** The chart inline, for a page that stands alone (the CLI's file). */
export function chartDataUri(payload: DigestPayload, name: string, zone: string): string {
  return `data:image/png;base64,${digestChartPng(payload, name, zone).toString('base64')}`;
}
