import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import {
  type ChartRow,
  DEFAULT_CHART_WIDTH,
  MAX_CHART_ROWS,
  defaultChartFont,
  digestChartSvg,
  svgText,
  renderDigestChart,
  formatWaitTick,
  waitAxis,
} from './digest-chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which must come first after the signature. */
function ihdr(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.readUInt32BE(8)).toBe(13);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const SAMPLE: ChartRow[] = [
  {
    label: 'General line · answer rate',
    unit: 'rate',
    observed: 0.62,
    ciLow: 0.47,
    ciHigh: 0.75,
    claimed: 0.96,
    verdict: 'contradicted',
  },
  {
    label: 'General line · first-contact resolution',
    unit: 'rate',
    observed: 0.55,
    ciLow: 0.4,
    ciHigh: 0.69,
    claimed: 0.6,
    verdict: 'consistent',
  },
  {
    label: 'Web chat · answer rate',
    unit: 'rate',
    observed: 0.93,
    ciLow: 0.81,
    ciHigh: 0.98,
    claimed: 0.7,
    verdict: 'better_than_claimed',
  },
  {
    label: 'Billing · transfer rate',
    unit: 'rate',
    observed: 0.5,
    ciLow: 0.15,
    ciHigh: 0.85,
    claimed: 0.1,
    verdict: 'too_few_contacts',
  },
  {
    label: 'Shop Leeds · options explained',
    unit: 'rate',
    observed: null,
    ciLow: null,
    ciHigh: null,
    claimed: 0.9,
    verdict: 'too_few_contacts',
  },
  {
    label: 'General line · avg seconds to a human',
    unit: 'seconds',
    observed: 412,
    ciLow: 301,
    ciHigh: 523,
    claimed: 90,
    verdict: 'contradicted',
  },
  {
    label: 'Web chat · median seconds to a human',
    unit: 'seconds',
    observed: 48,
    ciLow: 30,
    ciHigh: 75,
    claimed: 60,
    verdict: 'consistent',
  },
  {
    label: 'General line · courtesy',
    unit: 'rating',
    observed: 4.1,
    ciLow: 3.7,
    ciHigh: 4.5,
    claimed: 4.6,
    verdict: 'contradicted',
  },
  {
    label: 'Team "North" <script>alert(1)</script> & co · knowledge',
    unit: 'rating',
    observed: 3.2,
    ciLow: 2.6,
    ciHigh: 3.8,
    claimed: 3,
    verdict: 'consistent',
  },
];

function rows(count: number): ChartRow[] {
  return Array.from({ length: count }, (_, i) => ({
    ...SAMPLE[i % SAMPLE.length],
    label: `Touchpoint ${i + 1} · ${SAMPLE[i % SAMPLE.length].label}`,
  }));
}

describe('digest chart', () => {
  it('finds a font on this machine, so the PNG has legible text', () => {
    expect(defaultChartFont()).not.toBeNull();
  });

  it('renders a PNG of the requested width whose height grows with the rows', () => {
    const one = ihdr(renderDigestChart(rows(1)));
    const five = ihdr(renderDigestChart(rows(5)));
    const twenty = ihdr(renderDigestChart(rows(20)));
    expect(one.width).toBe(DEFAULT_CHART_WIDTH);
    expect(five.width).toBe(720);
    expect(five.height).toBeGreaterThan(one.height);
    expect(twenty.height).toBeGreaterThan(five.height);
    expect(ihdr(renderDigestChart(rows(5), { width: 960 })).width).toBe(960);
  });

  it('draws at most 40 lanes and says how many more the table holds', () => {
    const svg = digestChartSvg(rows(MAX_CHART_ROWS + 7));
    expect(svg).toContain('+7 more in the table');
    expect(svg).toContain('Touchpoint 40 ·');
    expect(svg).not.toContain('Touchpoint 41 ·');
    expect(ihdr(renderDigestChart(rows(MAX_CHART_ROWS + 60))).height).toBe(
      ihdr(renderDigestChart(rows(MAX_CHART_ROWS + 7))).height,
    );
    expect(digestChartSvg(rows(MAX_CHART_ROWS))).not.toContain('more in the table');
  });

  it('escapes user text for SVG, including the title, and drops what XML cannot carry', () => {
    const svg = digestChartSvg([{ ...SAMPLE[0], label: 'A & B <script>alert("x")</script>\u0000\u0007 it\'s' }], {
      title: 'Digest <b>&</b>',
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('A &amp; B &lt;script&gt;');
    expect(svg).toContain('Digest &lt;b&gt;&amp;&lt;/b&gt;');
    expect(svg).not.toMatch(/[\u0000-\u0008]/);
    // Only the five entities may follow an ampersand.
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
    expect(svgText('a\ud800b')).toBe('ab');
    expect(svgText('😀 & \n x')).toBe('😀 &amp; x');
    // resvg parses it as XML: a malformed document would throw here.
    expect(ihdr(renderDigestChart([{ ...SAMPLE[0], label: '<script>&' }])).width).toBe(720);
  });

  it('renders a "no claims" chart for an empty list', () => {
    const svg = digestChartSvg([]);
    expect(svg).toContain('No claims to compare in this period');
    const { width, height } = ihdr(renderDigestChart([]));
    expect(width).toBe(720);
    expect(height).toBeGreaterThan(50);
    expect(height).toBeLessThan(ihdr(renderDigestChart(rows(1))).height + 40);
  });

  it('says "no contacts" on a lane without an observation and still shows the claim', () => {
    const svg = digestChartSvg([SAMPLE[4]]);
    const lane = svg.slice(svg.indexOf('Shop Leeds'));
    expect(lane).toContain('no contacts');
    expect(lane).not.toContain('<circle'); // no observed dot
    expect(lane).toMatch(/<path d="M[^"]+" fill="#ffffff"/); // the hollow claim marker
  });

  it('colours the claim by verdict', () => {
    const lane = (row: ChartRow) => {
      const svg = digestChartSvg([{ ...row, label: 'The lane' }]);
      return svg.slice(svg.indexOf('>The lane<'));
    };
    expect(lane(SAMPLE[0])).toMatch(/<path d="M[^"]+" fill="#d62728"/);
    expect(lane(SAMPLE[2])).toMatch(/<path d="M[^"]+" fill="#2ca02c"/);
    expect(lane(SAMPLE[1])).toMatch(/<path d="M[^"]+" fill="#7f7f7f"/);
    expect(lane({ ...SAMPLE[1], verdict: 'inconclusive' })).toMatch(/<path d="M[^"]+" fill="#f2b705"/);
    expect(lane({ ...SAMPLE[1], verdict: 'in_progress' })).toMatch(/<path d="M[^"]+" fill="#dbeafe"/);
  });

  it('draws the waits of each channel in a section of their own, on a log axis with ticks in h:mm:ss', () => {
    const svg = digestChartSvg([
      {
        ...SAMPLE[5],
        label: 'Line · median wait',
        channel: 'phone',
        observed: 95,
        ciLow: 60,
        ciHigh: 200,
        claimed: 60,
      },
      {
        ...SAMPLE[5],
        label: 'Mailbox · median wait',
        channel: 'email',
        observed: 13 * 3600,
        ciLow: 4 * 3600,
        ciHigh: 20 * 3600,
        claimed: 4 * 3600,
      },
    ]);
    const heading = (channel: string) => `>Waits · ${channel} (log scale, h:mm:ss)<`;
    const phone = svg.slice(svg.indexOf(heading('phone')), svg.indexOf(heading('email')));
    const email = svg.slice(svg.indexOf(heading('email')));
    expect(phone).toContain('Line · median wait');
    expect(phone).toContain('>1:00<'); // from a minute…
    expect(phone).toContain('>5:00<'); // …to five
    expect(phone).not.toContain('Mailbox');
    expect(email).toContain('>4:00:00<');
    expect(email).toContain('>1d<'); // 20 hours round up to the named wait of a day
  });

  it('keeps seconds off zero beside hours on one axis: each value apart, in order, spread over the plot', () => {
    const waits = [40, 95, 16 * 3600 + 13 * 60 + 13];
    const svg = digestChartSvg(
      waits.map((w, i) => ({ ...SAMPLE[5], label: `Row ${i}`, channel: 'phone', observed: w, ciLow: w, ciHigh: w })),
    );
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)" cy="[\d.]+" r="4" fill="#1d4e89"/g)].map((m) => Number(m[1]));
    const dots = xs.slice(-3); // the legend's dot comes first
    expect(dots[0]).toBeLessThan(dots[1]);
    expect(dots[1]).toBeLessThan(dots[2]);
    // on the linear axis of before, 40 s and 95 s sat within 2 px of zero; here they are far apart
    expect(dots[1] - dots[0]).toBeGreaterThan(40);
    const ticks = [...svg.matchAll(/text-anchor="(?:start|middle|end)">([^<]+)</g)].map((m) => m[1]);
    expect(ticks[0]).toBe('0:30');
    expect(ticks[ticks.length - 1]).toBe('1d');
    for (const tick of ticks) expect(tick).toMatch(/^(\d+:)?\d{1,2}:\d{2}$|^\d+d$/);
  });

  it('puts its ticks on named waits, at most as many as asked, both ends among them', () => {
    const axis = waitAxis([40, 16 * 3600], 5);
    expect(axis.ticks[0]).toBe(30);
    expect(axis.ticks[axis.ticks.length - 1]).toBe(86_400);
    expect(axis.ticks.length).toBeLessThanOrEqual(5);
    expect(axis.at(30)).toBe(0);
    expect(axis.at(86_400)).toBe(1);
    expect(axis.at(0)).toBe(0); // a zero wait sits at the left end
    expect(waitAxis([], 3).ticks.map(formatWaitTick)).toEqual(['1:00', '10:00', '1:00:00']);
    expect(
      waitAxis([10 * 86_400], 3)
        .ticks.map(formatWaitTick)
        .pop(),
    ).toBe('14d');
    expect(waitAxis([45, 45], 3).ticks).toEqual([30, 60]);
  });

  it('never cuts a label: it wraps, beside the plot on a wide chart and above its lane on a phone', () => {
    const label = 'Customer service centre for pensions and benefits, Newcastle upon Tyne · median seconds to a human';
    for (const width of [720, 360]) {
      const svg = digestChartSvg([{ ...SAMPLE[5], label, channel: 'phone' }], { width, title: 'A week' });
      expect(svg).not.toContain('…');
      const shown = [...svg.matchAll(/<text x="20" y="[\d.]+" font-size="12" fill="#1f2933">([^<]*)<\/text>/g)];
      expect(shown.length).toBeGreaterThan(1);
      expect(shown.map((m) => m[1]).join(' ')).toBe(label);
      const labelBottom = Math.max(...[...svg.matchAll(/<text x="20" y="([\d.]+)" font-size="12"/g)].map((m) => +m[1]));
      const dot = Number(/<circle cx="[\d.]+" cy="([\d.]+)"/.exec(svg.slice(svg.indexOf('font-size="12"')))![1]);
      // on a phone the lane's marks sit below the label's last line, on a wide chart beside its lines
      if (width === 360) expect(dot).toBeGreaterThan(labelBottom);
      else expect(dot).toBeLessThan(labelBottom);
    }
  });

  it('draws a PNG for a phone at twice its pixels', () => {
    expect(ihdr(renderDigestChart(SAMPLE, { width: 360, scale: 2 })).width).toBe(720);
  });

  it('lists in its legend only the verdicts it shows', () => {
    const svg = digestChartSvg([SAMPLE[0], { ...SAMPLE[1], verdict: 'in_progress' }]);
    expect(svg).toContain('claim contradicted');
    expect(svg).toContain('period still running');
    expect(svg).not.toContain('better than claimed');
    expect(svg).not.toContain('>inconclusive<');
  });

  it('gives identical bytes for the same input', () => {
    const a = renderDigestChart(SAMPLE, { title: 'Week 47' });
    const b = renderDigestChart(structuredClone(SAMPLE), { title: 'Week 47' });
    expect(a.equals(b)).toBe(true);
    expect(digestChartSvg(SAMPLE)).toBe(digestChartSvg(structuredClone(SAMPLE)));
  });

  it('writes a sample to test-output/digest-chart.png', () => {
    const png = renderDigestChart(SAMPLE, { title: 'Customer service · week 47 (17–23 Nov 2026)' });
    const file = resolve(process.cwd(), 'test-output/digest-chart.png');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, png);
    writeFileSync(resolve(process.cwd(), 'test-output/digest-chart-empty.png'), renderDigestChart([]));
    writeFileSync(
      resolve(process.cwd(), 'test-output/digest-chart-many.png'),
      renderDigestChart(rows(45), { width: 480 }),
    );
    writeFileSync(
      resolve(process.cwd(), 'test-output/digest-chart-phone.png'),
      renderDigestChart(SAMPLE, { title: 'Customer service · week 47 (17–23 Nov 2026)', width: 360, scale: 2 }),
    );
    expect(ihdr(png).width).toBe(720);
  });
});
