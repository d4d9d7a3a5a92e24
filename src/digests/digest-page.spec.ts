import { createHash } from 'node:crypto';

import type { DigestPayload } from './digest-builder.service.js';
import { digestChartSvg } from './digest-chart.js';
import { DIGEST_PAGE_VERSION, gzipEtag, renderDigestPage, strongEtag } from './digest-page.js';
import { chartRows, digestChartSvgs, periodText, renderDigest, svgDataUri } from './digest-render.js';

const PAYLOAD: DigestPayload = {
  period: { start: '2026-11-16T08:00:00.000Z', end: '2026-11-23T08:00:00.000Z' },
  headline: '1 of 2 claims contradicted',
  minContacts: 5,
  explanation: 'What "contradicted" means here.',
  familySize: 2,
  countAdHocInVerdicts: false,
  rows: [
    {
      claimId: 'c1',
      touchpointId: 't1',
      team: null,
      scopeLabel: 'General line',
      metric: 'answer_rate',
      unit: 'rate',
      better: 'higher',
      claimed: 0.96,
      source: 'Weekly review',
      observed: 0.6,
      n: 10,
      ciLow: 0.31,
      ciHigh: 0.83,
      gap: -0.36,
      verdict: 'contradicted',
      channel: 'phone',
      claimPeriod: { start: '2026-11-16', end: '2026-11-22' },
      intervalMethod: 'clopper_pearson',
      gapDirection: 'worse',
      pFlattering: 0.0004,
      pAdjusted: 0.0009,
      detectableGap: 0.34,
      contactsNeeded: 72,
      contactsNeededOverCap: false,
      gapThatMatters: 0.1,
      adHoc: { contacts: 0, observed: null, counted: false },
      ownerContacts: 0,
    },
    {
      claimId: 'c2',
      touchpointId: 't1',
      team: null,
      scopeLabel: 'General line <b>&</b>',
      metric: 'courtesy_avg',
      unit: 'rating',
      better: 'higher',
      claimed: 4,
      source: 'Weekly review',
      observed: 4,
      n: 6,
      ciLow: 3.3,
      ciHigh: 4.7,
      gap: 0,
      verdict: 'inconclusive',
      channel: 'phone',
      claimPeriod: { start: '2026-11-16', end: '2026-11-22' },
      intervalMethod: 'bounded_mean',
      gapDirection: 'same',
      pFlattering: 0.6,
      pAdjusted: 1,
      detectableGap: null,
      contactsNeeded: 224,
      contactsNeededOverCap: false,
      gapThatMatters: 0.5,
      adHoc: { contacts: 0, observed: null, counted: false },
      ownerContacts: 0,
    },
  ],
  coverage: { planned: 12, completed: 10, missed: 1, declined: 1, unfilled: 0 },
  coverageByTouchpoint: [
    {
      touchpointId: 't1',
      touchpoint: 'General line',
      channel: 'phone',
      planned: 12,
      completed: 10,
      missed: 1,
      declined: 1,
      unfilled: 0,
    },
  ],
  missedTesters: [{ testerId: 'p1', name: 'Tess Tester', missed: 1 }],
  notes: [
    {
      touchpointId: 't1',
      touchpoint: 'General line',
      attemptedAt: '2026-11-17T10:00:00.000Z',
      resolution: 'unresolved',
      notes: 'Rang out.',
      adHoc: false,
    },
  ],
  trend: [
    {
      claimId: 'c1',
      metric: 'answer_rate',
      scopeLabel: 'General line',
      previous: 0.7,
      previousN: 8,
      current: 0.6,
      change: -0.1,
    },
  ],
};

describe('the digest page', () => {
  it("holds no link: the chart is inline, so every recipient's link shows the same bytes", () => {
    const page = renderDigestPage(PAYLOAD, 'Monday digest', 'Europe/London');
    const html = page.html.toString('utf8');
    // the chart drawn for a phone, and for a wide screen from 600 px up, both inline
    const svgs = digestChartSvgs(PAYLOAD, 'Monday digest', 'Europe/London');
    expect(html).toContain(`<source media="(min-width: 600px)" srcset="${svgDataUri(svgs.wide)}"/>`);
    expect(html).toContain(`<img src="${svgDataUri(svgs.narrow)}"`);
    expect(html).not.toMatch(/\/d\//);
    expect(page.etag).toBe(strongEtag(page.html));
    expect(page.chartEtag).toBe(strongEtag(page.chart));
  });

  it('has strong validators that change with the bytes and the version, and one per encoding', () => {
    const a = strongEtag(Buffer.from('a'));
    expect(a).toMatch(/^"4-[A-Za-z0-9_-]{22}"$/);
    expect(strongEtag(Buffer.from('b'))).not.toBe(a);
    expect(strongEtag(Buffer.from('a'), DIGEST_PAGE_VERSION + 1)).not.toBe(a);
    expect(gzipEtag(a)).toBe(`${a.slice(0, -1)}-gz"`);
  });

  // When this fails, the page or its chart changed: stored renderings of the old version must be
  // rendered again. Bump DIGEST_PAGE_VERSION, and record the new fingerprint beside it.
  it('has its version bumped whenever what it renders changes', () => {
    const zone = 'Europe/London';
    const html = renderDigest(PAYLOAD, { name: 'Monday digest', zone, link: '', chartSrc: 'chart.png' }).html;
    const svg = digestChartSvg(chartRows(PAYLOAD), { title: `Monday digest · ${periodText(PAYLOAD, zone)}` });
    const fingerprint = createHash('sha256').update(html).update(svg).digest('hex').slice(0, 16);
    expect({ version: DIGEST_PAGE_VERSION, fingerprint }).toEqual({ version: 4, fingerprint: '000ae7e2eb1afb27' });
  });
});
