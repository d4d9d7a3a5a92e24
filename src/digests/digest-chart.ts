import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

import { formatDuration, formatDurationInput } from '../common/durations.js';
import { escapeXml } from '../common/html.js';
import type { Verdict } from './verdicts.js';

/**
 * The digest's chart: each claim as a marker on its observed interval.
 *
 * Drawn as SVG (also usable as is on the web page) and rasterised to PNG with resvg, so
 * mail clients that refuse SVG still show it inline (cid). Pure function of its input (the
 * font comes from npm, not the machine): the same rows give the same bytes.
 */

export type ChartUnit = 'rate' | 'seconds' | 'rating' | 'count';

export interface ChartRow {
  /** What the lane is about, e.g. "General line · answer rate" (user data: escaped). */
  label: string;
  /** `rate` values are fractions 0–1, `rating` values 1–5, `seconds` values ≥ 0. */
  unit: ChartUnit;
  observed: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  claimed: number | null;
  verdict: Verdict;
  /** Waits of different channels get sections (and axes) of their own: they are never pooled. */
  channel?: string | null;
}

export interface ChartFont {
  /** TTF/OTF files to load (regular first; bold and oblique optional). */
  files: string[];
  /** Their family name, as the files declare it. */
  family: string;
}

export interface DigestChartOptions {
  title?: string;
  /** CSS pixels; default 720, clamped to 320–2000. Below 560 each lane's label stands on its own lines above it. */
  width?: number;
  /** Device pixels per CSS pixel of the PNG (2 for a phone's screen); default 1. */
  scale?: number;
  /** Font for the PNG; default: the first known sans-serif family found on the machine. */
  font?: ChartFont;
}

/** Lanes drawn at most; the rest are counted in a note ("+N more in the table"). */
export const MAX_CHART_ROWS = 40;
export const DEFAULT_CHART_WIDTH = 720;
const MIN_WIDTH = 320;
/** Narrower than this (a phone), labels go above their lanes and the plot takes the whole width. */
export const STACK_BELOW = 560;
const MAX_WIDTH = 2000;

// ---- Layout (pixels) ----
const PAD = 16;
const TITLE_H = 34;
const LEGEND_ROW_H = 18;
const SECTION_HEADER_H = 24;
const LANE_H = 22;
const LINE_H = 15;
const SECTION_GAP = 10;
const NOTE_H = 22;
const EMPTY_BODY_H = 64;
const FONT_SIZE = 12;
const SMALL_FONT_SIZE = 11;

// ---- Colours ----
const INK = '#1f2933';
const MUTED = '#6b7280';
const GRID = '#e5e7eb';
const LANE_SHADE = '#f6f7f9';
const INTERVAL = '#9fc3e6';
const OBSERVED = '#1d4e89';

const VERDICT_STYLE: Record<Verdict, { fill: string; stroke: string; label: string }> = {
  contradicted: { fill: '#d62728', stroke: '#8b1a1b', label: 'claim contradicted' },
  better_than_claimed: { fill: '#2ca02c', stroke: '#1b641b', label: 'better than claimed' },
  consistent: { fill: '#7f7f7f', stroke: '#4b4b4b', label: 'consistent' },
  inconclusive: { fill: '#f2b705', stroke: '#8a6800', label: 'inconclusive' },
  in_progress: { fill: '#dbeafe', stroke: '#1d4e89', label: 'period still running' },
  too_few_contacts: { fill: '#ffffff', stroke: '#a3a3a3', label: 'too few contacts' },
  not_tested: { fill: '#e5e7eb', stroke: '#6b7280', label: 'not tested (shown only)' },
};
const VERDICTS = Object.keys(VERDICT_STYLE) as Verdict[];

const SECTION_ORDER: ChartUnit[] = ['rate', 'seconds', 'rating', 'count'];
const SECTION_TITLE: Record<ChartUnit, string> = {
  rate: 'Rates',
  seconds: 'Waits',
  rating: 'Ratings (1–5)',
  count: 'Per case (contacts, repeats)',
};

const FONT_STACK = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

// ---- Text ----

/**
 * Text into SVG element content or a quoted attribute: drops what XML 1.0 cannot carry (control
 * characters, lone surrogates, U+FFFE/U+FFFF), folds line breaks and runs of spaces into one space,
 * then escapes the five markup characters.
 */
export function svgText(text: string): string {
  return escapeXml(
    text
      .replace(
        /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
        '',
      )
      .replace(/\s+/g, ' '),
  );
}

/**
 * Advance widths (em) close to DejaVu Sans, the widest of the families used (Liberation
 * Sans and Arial are narrower), so labels wrap before they run into the plot.
 */
function charEm(c: string): number {
  if (c === '…') return 1.0;
  if (c === 'm' || c === 'M') return 0.98;
  if (c === 'w' || c === 'W') return 1.0;
  if (/[ il.,:;'!|·]/.test(c)) return 0.34;
  if (/[Ijftr()[\]\-"]/.test(c)) return 0.44;
  if (/[0-9]/.test(c)) return 0.64;
  if (/[A-Z%&@]/.test(c)) return 0.8;
  if (/[a-z]/.test(c)) return 0.63;
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x2e80 ? 1.05 : 0.7;
}

function approxWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of text) em += charEm(c);
  return em * fontSize * (bold ? 1.12 : 1);
}

/**
 * Breaks text into lines of about `px` pixels at spaces (a word wider than a line is broken inside), so a label is
 * never cut: the lane grows instead.
 */
export function wrapText(text: string, px: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  const push = () => {
    if (line) lines.push(line);
    line = '';
  };
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    const joined = line ? `${line} ${word}` : word;
    if (approxWidth(joined, fontSize, bold) <= px) {
      line = joined;
      continue;
    }
    push();
    for (const c of word) {
      if (line && approxWidth(line + c, fontSize, bold) > px) push();
      line += c;
    }
  }
  push();
  return lines.length ? lines : [''];
}

/** Fixed-precision numbers keep the SVG (and so the PNG) byte-for-byte stable. */
function n(value: number): string {
  const s = value.toFixed(1);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ' ' + attrs : ''}>${svgText(content)}</text>`;
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

// ---- Axes ----

interface Axis {
  ticks: number[];
  format: (v: number) => string;
  /** Where a value sits along the plot, 0 (left) to 1 (right); values outside the axis sit at its ends. */
  at: (v: number) => number;
  /** Logarithmic: said in the section's heading, so nobody reads distances as differences. */
  log?: boolean;
}

const linear = (min: number, max: number) => (v: number) => (Math.min(max, Math.max(min, v)) - min) / (max - min);

/** Waits a reader names, from a second to the 14 days a wait may last: the log axis' ticks are among them. */
const WAIT_TICKS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400, 172_800, 345_600,
  604_800, 1_209_600,
];

/** A wait tick as the form takes waits: h:mm:ss within a day (0:30, 1:00:00), days beyond (1d, 7d). */
export const formatWaitTick = (seconds: number) =>
  seconds >= 86_400 ? formatDurationInput(seconds) : formatDuration(seconds);

/**
 * Waits on a logarithmic axis from the named wait at or below the shortest to the one at or above the longest: a
 * phone's 40 seconds and a mailbox's 16 hours are both readable (on a linear axis the seconds sit on zero). Ticks
 * are spread evenly in log distance, at most `target` of them, the two ends always among them.
 */
export function waitAxis(values: readonly number[], target: number): Axis {
  const positive = values.filter((v) => v > 0);
  const lo = positive.length ? Math.min(...positive) : 60;
  const hi = positive.length ? Math.max(...positive) : 3600;
  const min = [...WAIT_TICKS].reverse().find((t) => t <= lo) ?? WAIT_TICKS[0];
  let max = WAIT_TICKS.find((t) => t >= hi) ?? WAIT_TICKS[WAIT_TICKS.length - 1];
  if (max <= min) max = WAIT_TICKS[WAIT_TICKS.indexOf(min) + 1] ?? min * 10;
  const [lmin, lmax] = [Math.log(min), Math.log(max)];
  const gap = (lmax - lmin) / Math.max(1, target - 1);
  const ticks: number[] = [];
  for (const t of WAIT_TICKS.filter((x) => x >= min && x <= max)) {
    if (!ticks.length || Math.log(t) - Math.log(ticks[ticks.length - 1]) >= gap * 0.999) ticks.push(t);
  }
  if (ticks[ticks.length - 1] !== max) {
    if (ticks.length > 1 && Math.log(max) - Math.log(ticks[ticks.length - 1]) < gap * 0.5) ticks.pop();
    ticks.push(max);
  }
  return {
    ticks,
    format: formatWaitTick,
    at: (v) => (Math.log(Math.min(max, Math.max(min, v))) - lmin) / (lmax - lmin),
    log: true,
  };
}

/** Contacts or repeats per case: from 0 to the next whole number above every value shown (at least 3). */
function countAxis(rows: ChartRow[]): Axis {
  const values = rows.flatMap((r) => [r.observed, r.ciLow, r.ciHigh, r.claimed].map(finite)).filter((v) => v !== null);
  const max = Math.max(3, Math.ceil(Math.max(0, ...values)));
  const step = Math.max(1, Math.ceil(max / 5));
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return { ticks, format: (v) => String(v), at: linear(0, ticks[ticks.length - 1]) };
}

function axisFor(unit: ChartUnit, rows: ChartRow[], plotWidth: number): Axis {
  if (unit === 'rate') {
    const step = plotWidth >= 300 ? 0.2 : 0.5;
    const ticks: number[] = [];
    for (let i = 0; i <= Math.round(1 / step); i++) ticks.push(i * step);
    return { ticks, format: (v) => `${Math.round(v * 100)} %`, at: linear(0, 1) };
  }
  if (unit === 'rating') {
    return { ticks: [1, 2, 3, 4, 5], format: (v) => String(v), at: linear(1, 5) };
  }
  if (unit === 'count') return countAxis(rows);
  const values: number[] = [];
  for (const row of rows) {
    for (const v of [row.observed, row.ciLow, row.ciHigh, row.claimed]) {
      const value = finite(v);
      if (value !== null) values.push(value);
    }
  }
  return waitAxis(values, plotWidth >= 300 ? 5 : 3);
}

/** The chart's sections: rates, then the waits of each channel apart, then ratings. */
function sections(rows: readonly ChartRow[]): Array<{ unit: ChartUnit; title: string; lanes: ChartRow[] }> {
  const out: Array<{ unit: ChartUnit; title: string; lanes: ChartRow[] }> = [];
  for (const unit of SECTION_ORDER) {
    const lanes = rows.filter((r) => r.unit === unit);
    if (unit !== 'seconds') {
      if (lanes.length) out.push({ unit, title: SECTION_TITLE[unit], lanes });
      continue;
    }
    const channels = [...new Set(lanes.map((r) => r.channel ?? null))];
    for (const channel of channels) {
      const title =
        channel === null ? SECTION_TITLE.seconds : `${SECTION_TITLE.seconds} · ${channel.replace(/_/g, ' ')}`;
      out.push({ unit, title, lanes: lanes.filter((r) => (r.channel ?? null) === channel) });
    }
  }
  return out;
}

// ---- Drawing ----

function diamond(cx: number, cy: number, r: number, fill: string, stroke: string): string {
  const d = `M${n(cx)} ${n(cy - r)}L${n(cx + r)} ${n(cy)}L${n(cx)} ${n(cy + r)}L${n(cx - r)} ${n(cy)}Z`;
  return `<path d="${d}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`;
}

function intervalGlyph(x: number, cy: number, width: number): string {
  return (
    `<rect x="${n(x)}" y="${n(cy - 4)}" width="${n(width)}" height="8" rx="4" fill="${INTERVAL}"/>` +
    `<circle cx="${n(x + width / 2)}" cy="${n(cy)}" r="4" fill="${OBSERVED}"/>`
  );
}

interface LegendItem {
  glyph: (x: number, cy: number) => string;
  glyphWidth: number;
  label: string;
}

function legend(top: number, left: number, right: number, shown: readonly ChartRow[]): { svg: string; height: number } {
  const present = new Set(shown.map((r) => r.verdict));
  const items: LegendItem[] = [
    { glyph: (x, cy) => intervalGlyph(x, cy, 26), glyphWidth: 26, label: 'observed, 95 % interval' },
    ...VERDICTS.filter((v) => present.has(v)).map((v) => ({
      glyph: (x: number, cy: number) => diamond(x + 6, cy, 5.5, VERDICT_STYLE[v].fill, VERDICT_STYLE[v].stroke),
      glyphWidth: 12,
      label: VERDICT_STYLE[v].label,
    })),
  ];
  const parts: string[] = [];
  let x = left;
  let line = 0;
  for (const item of items) {
    const w = item.glyphWidth + 5 + approxWidth(item.label, SMALL_FONT_SIZE);
    if (x > left && x + w > right) {
      line++;
      x = left;
    }
    const cy = top + line * LEGEND_ROW_H + LEGEND_ROW_H / 2;
    parts.push(item.glyph(x, cy));
    parts.push(text(x + item.glyphWidth + 5, cy + 4, item.label, `font-size="${SMALL_FONT_SIZE}" fill="${INK}"`));
    x += w + 16;
  }
  return { svg: parts.join(''), height: (line + 1) * LEGEND_ROW_H };
}

function clampWidth(width: number | undefined): number {
  const w = finite(width ?? null);
  if (w === null) return DEFAULT_CHART_WIDTH;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(w)));
}

/** Where labels and plot sit: beside each other on a wide chart, labels above their lanes on a phone's. */
interface Layout {
  stacked: boolean;
  labelWidth: number;
  plotLeft: number;
  plotRight: number;
}

function layoutFor(width: number): Layout {
  if (width < STACK_BELOW) {
    return { stacked: true, labelWidth: width - 2 * PAD - 8, plotLeft: PAD + 10, plotRight: width - PAD - 10 };
  }
  const labelWidth = Math.min(320, Math.max(130, Math.round(width * 0.36)));
  return { stacked: false, labelWidth, plotLeft: PAD + labelWidth + 12, plotRight: width - PAD - 8 };
}

/** A lane's height and where its label lines and its glyphs go. */
function laneGeometry(
  layout: Layout,
  lines: number,
  top: number,
): { height: number; firstBaseline: number; cy: number } {
  if (layout.stacked) {
    const labelBlock = lines * LINE_H + 4;
    return { height: labelBlock + LANE_H - 4, firstBaseline: top + 15, cy: top + labelBlock + (LANE_H - 4) / 2 };
  }
  const height = Math.max(LANE_H, lines * LINE_H + 7);
  return { height, firstBaseline: top + (height - lines * LINE_H) / 2 + 11, cy: top + height / 2 };
}

/** The chart as a standalone SVG document (text escaped; same input, same string). */
export function digestChartSvg(rows: readonly ChartRow[], options: DigestChartOptions = {}): string {
  const width = clampWidth(options.width);
  const title = options.title ?? 'Claims against what the test contacts found';
  const shown = rows.slice(0, MAX_CHART_ROWS);
  const hidden = rows.length - shown.length;

  const layout = layoutFor(width);
  const { labelWidth, plotLeft, plotRight } = layout;
  const plotWidth = plotRight - plotLeft;

  const body: string[] = [];
  const titleLines = wrapText(title, width - 2 * PAD, 15, true);
  titleLines.forEach((line, i) =>
    body.push(text(PAD, PAD + 14 + i * 19, line, `font-size="15" font-weight="bold" fill="${INK}"`)),
  );
  let y = PAD + TITLE_H - 8 + (titleLines.length - 1) * 19;

  if (shown.length === 0) {
    y += 8;
    body.push(
      `<rect x="${PAD}" y="${n(y)}" width="${n(width - 2 * PAD)}" height="${EMPTY_BODY_H - 16}" rx="6" fill="${LANE_SHADE}"/>`,
    );
    body.push(
      text(
        width / 2,
        y + (EMPTY_BODY_H - 16) / 2 + 4,
        'No claims to compare in this period',
        `font-size="${FONT_SIZE}" fill="${MUTED}" text-anchor="middle"`,
      ),
    );
    y += EMPTY_BODY_H;
  } else {
    const lg = legend(y, PAD, width - PAD, shown);
    body.push(lg.svg);
    y += lg.height + 10;

    for (const { unit, title: sectionTitle, lanes } of sections(shown)) {
      const axis = axisFor(unit, lanes, plotWidth);
      const xOf = (v: number) => plotLeft + axis.at(v) * plotWidth;

      // Section header: its name on the left (on a phone, on a line of its own), the axis' tick labels over the plot.
      const headingStyle = `font-size="${SMALL_FONT_SIZE}" font-weight="bold" fill="${MUTED}"`;
      const heading = axis.log ? `${sectionTitle} (log scale, h:mm:ss)` : sectionTitle;
      const headingLines = wrapText(heading, layout.stacked ? width - 2 * PAD : labelWidth, SMALL_FONT_SIZE, true);
      headingLines.forEach((line, i) =>
        body.push(text(PAD, y + SECTION_HEADER_H - 8 + i * LINE_H, line, headingStyle)),
      );
      if (layout.stacked) y += headingLines.length * LINE_H;
      const headerBase = y + SECTION_HEADER_H - 8 + (layout.stacked ? 0 : (headingLines.length - 1) * LINE_H);
      for (const [i, tick] of axis.ticks.entries()) {
        const anchor = i === 0 ? 'start' : i === axis.ticks.length - 1 ? 'end' : 'middle';
        const tx = i === 0 ? xOf(tick) - 2 : i === axis.ticks.length - 1 ? xOf(tick) + 2 : xOf(tick);
        body.push(
          text(
            tx,
            headerBase,
            axis.format(tick),
            `font-size="${SMALL_FONT_SIZE}" fill="${MUTED}" text-anchor="${anchor}"`,
          ),
        );
      }
      y = headerBase + 8;
      const lanesTop = y;
      const labels = lanes.map((row) => wrapText(row.label, labelWidth - 4, FONT_SIZE));
      const geometry: Array<ReturnType<typeof laneGeometry>> = [];
      for (const lines of labels) {
        const g = laneGeometry(layout, lines.length, y);
        geometry.push(g);
        y += g.height;
      }

      let laneTop = lanesTop;
      geometry.forEach((g, i) => {
        if (i % 2 === 0)
          body.push(
            `<rect x="${PAD}" y="${n(laneTop)}" width="${n(width - 2 * PAD)}" height="${n(g.height)}" fill="${LANE_SHADE}"/>`,
          );
        laneTop += g.height;
      });
      for (const tick of axis.ticks) {
        body.push(
          `<line x1="${n(xOf(tick))}" y1="${n(lanesTop - 3)}" x2="${n(xOf(tick))}" y2="${n(y)}" stroke="${GRID}" stroke-width="1"/>`,
        );
      }

      lanes.forEach((row, i) => {
        const { cy, firstBaseline } = geometry[i];
        labels[i].forEach((line, j) =>
          body.push(text(PAD + 4, firstBaseline + j * LINE_H, line, `font-size="${FONT_SIZE}" fill="${INK}"`)),
        );

        const observed = finite(row.observed);
        const low = finite(row.ciLow);
        const high = finite(row.ciHigh);
        const claimed = finite(row.claimed);

        if (observed === null) {
          const right = claimed !== null && xOf(claimed) < plotLeft + plotWidth / 2;
          body.push(
            text(
              right ? plotRight - 2 : plotLeft + 2,
              cy + 4,
              'no contacts',
              `font-size="${SMALL_FONT_SIZE}" font-style="italic" fill="${MUTED}"${right ? ' text-anchor="end"' : ''}`,
            ),
          );
        } else {
          if (low !== null && high !== null) {
            const x1 = xOf(Math.min(low, high));
            const x2 = xOf(Math.max(low, high));
            body.push(
              `<rect x="${n(x1 - 1)}" y="${n(cy - 4)}" width="${n(Math.max(2, x2 - x1 + 2))}" height="8" rx="4" fill="${INTERVAL}"/>`,
            );
          }
          body.push(`<circle cx="${n(xOf(observed))}" cy="${n(cy)}" r="4" fill="${OBSERVED}"/>`);
        }
        if (claimed !== null) {
          const style = VERDICT_STYLE[row.verdict] ?? VERDICT_STYLE.consistent;
          body.push(diamond(xOf(claimed), cy, 6, style.fill, style.stroke));
        }
      });
      y += SECTION_GAP;
    }

    if (hidden > 0) {
      body.push(text(PAD, y + 12, `+${hidden} more in the table`, `font-size="${SMALL_FONT_SIZE}" fill="${MUTED}"`));
      y += NOTE_H;
    }
  }

  const height = Math.ceil(y + PAD - SECTION_GAP);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${svgText(FONT_STACK)}" role="img" aria-label="${svgText(title)}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    body.join('') +
    `</svg>`
  );
}

// ---- Fonts ----

/** DejaVu Sans from npm (`dejavu-fonts-ttf`, a dependency): the same text on every machine, none installed. */
const NPM_DEJAVU = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const KNOWN_FONTS: ChartFont[] = [
  {
    family: 'DejaVu Sans',
    files: ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(NPM_DEJAVU, f)),
  },
];

let machineFont: ChartFont | null | undefined;

/** The font the PNG is drawn with by default: a known family found on this machine, or null. */
export function defaultChartFont(): ChartFont | null {
  if (machineFont === undefined) {
    machineFont = null;
    for (const candidate of KNOWN_FONTS) {
      if (!existsSync(candidate.files[0])) continue;
      machineFont = { family: candidate.family, files: candidate.files.filter((f) => existsSync(f)) };
      break;
    }
  }
  return machineFont;
}

function fontOptions(font: ChartFont | undefined): ResvgRenderOptions['font'] {
  const chosen = font ?? defaultChartFont();
  if (chosen === null) {
    // No known family found: let resvg scan the system (text may still be missing on a bare image).
    return { loadSystemFonts: true, defaultFontSize: FONT_SIZE };
  }
  return {
    loadSystemFonts: false,
    fontFiles: chosen.files,
    defaultFontFamily: chosen.family,
    sansSerifFamily: chosen.family,
    defaultFontSize: FONT_SIZE,
  };
}

/** The chart as a PNG (white background), for a cid attachment in mail and for the web page. */
export function renderDigestChart(rows: readonly ChartRow[], options: DigestChartOptions = {}): Buffer {
  const svg = digestChartSvg(rows, options);
  const scale = finite(options.scale ?? null) ?? 1;
  const resvg = new Resvg(svg, {
    font: fontOptions(options.font),
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: Math.min(4, Math.max(1, scale)) },
    background: '#ffffff',
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
