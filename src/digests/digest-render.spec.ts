import type { DigestPayload, DigestRow } from './digest-builder.service.js';
import { MAIL_HTML_BUDGET, renderDigest, resultsLinkOf } from './digest-render.js';

const row = (i: number, verdict: DigestRow['verdict']): DigestRow => ({
  claimId: `c${i}`,
  touchpointId: `t${i}`,
  team: null,
  channel: 'phone',
  scopeLabel: `Line ${i} <b>`,
  metric: 'answer_rate',
  unit: 'rate',
  better: 'higher',
  claimed: 0.9,
  source: 'Review',
  claimPeriod: { start: '2026-11-16', end: '2026-11-22' },
  observed: 0.5,
  n: 20,
  ciLow: 0.3,
  ciHigh: 0.7,
  intervalMethod: 'clopper_pearson',
  gap: -0.4,
  gapDirection: 'worse',
  verdict,
  pFlattering: 0.001,
  pAdjusted: 0.01,
  detectableGap: 0.2,
  contactsNeeded: 120,
  contactsNeededOverCap: false,
  gapThatMatters: 0.1,
  adHoc: { contacts: 0, observed: null, counted: false },
  ownerContacts: 0,
});
const payload = (rows: DigestRow[]): DigestPayload => ({
  period: { start: '2026-11-16T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' },
  headline: 'h',
  minContacts: 5,
  explanation: 'What a verdict means.',
  familySize: rows.length,
  countAdHocInVerdicts: false,
  rows,
  coverage: { planned: 0, completed: 0, missed: 0, declined: 0, unfilled: 0 },
  missedTesters: [],
  notes: [],
  trend: rows.map((r) => ({
    claimId: r.claimId,
    metric: r.metric,
    scopeLabel: r.scopeLabel,
    previous: 0.4,
    previousN: 10,
    current: 0.5,
    change: 0.1,
  })),
});
const ctx = { name: 'Weekly', zone: 'UTC', link: 'https://gt.example/d/x', chartSrc: 'cid:digest-chart' };

describe('renderDigest', () => {
  it('shows every row, the explanation, and escapes what users wrote', () => {
    const r = renderDigest(payload([row(1, 'contradicted'), row(2, 'in_progress')]), ctx, {
      maxHtmlBytes: MAIL_HTML_BUDGET,
    });
    expect(r.cut).toBe(false);
    expect(r.rows).toHaveLength(2);
    expect(r.html).toContain('What a verdict means.');
    expect(r.html).toContain('Claims whose period is still running (not judged yet)');
    expect(r.html).toContain('Line 1 &lt;b>'); // JSX escapes `<` (and `&`, `"`), which is what makes markup
    expect(r.html).not.toContain('Line 1 <b>');
    expect(r.text).toContain(
      '- Line 1 <b> · answer rate: claimed 90 %, observed 50 % (95 % 30 %–70 %), n 20, gap −40 pts worse: contradicted; could detect 20 pts, contacts needed 120 for 10 pts',
    );
  });

  it('keeps a mail over its budget to the contradicted and inconclusive rows, as many as fit, and says so', () => {
    const rows = Array.from({ length: 600 }, (_, i) =>
      row(i, i % 10 === 0 ? 'contradicted' : i % 10 === 1 ? 'inconclusive' : 'consistent'),
    );
    const full = renderDigest(payload(rows), ctx);
    expect(Buffer.byteLength(full.html)).toBeGreaterThan(MAIL_HTML_BUDGET);
    const mail = renderDigest(payload(rows), ctx, { maxHtmlBytes: MAIL_HTML_BUDGET });
    expect(mail.cut).toBe(true);
    expect(Buffer.byteLength(mail.html)).toBeLessThanOrEqual(MAIL_HTML_BUDGET);
    expect(mail.rows).toHaveLength(120);
    expect(mail.rows.every((r) => r.verdict !== 'consistent')).toBe(true);
    expect(mail.html).toContain('it shows the 120 contradicted and inconclusive claims of the 600 in this digest.');
    expect(mail.text.match(/^- Line/gm)).toHaveLength(120);
    // too many even of those: the first ones that fit, and the mail says how many of how many
    const tight = renderDigest(payload(rows), ctx, { maxHtmlBytes: 20_000 });
    expect(Buffer.byteLength(tight.html)).toBeLessThanOrEqual(20_000);
    expect(tight.rows.length).toBeGreaterThan(0);
    expect(tight.rows.length).toBeLessThan(120);
    expect(tight.html).toContain(
      `it shows ${tight.rows.length} of the 120 contradicted and inconclusive claims of the 600`,
    );
  });

  it('shows coverage touchpoint by touchpoint, in the HTML and the text, and a cut mail keeps those with gaps', () => {
    const tp = (i: number, missed: number) => ({
      touchpointId: `t${i}`,
      touchpoint: `Shop ${i} <i>`,
      channel: 'in_person',
      planned: 3,
      completed: 3 - missed,
      missed,
      declined: 0,
      unfilled: i % 2,
    });
    const p = { ...payload([row(1, 'consistent')]), coverageByTouchpoint: [tp(1, 0), tp(2, 1)] };
    const r = renderDigest(p, ctx);
    expect(r.html).toContain('<table class="coverage"');
    expect(r.html).toContain('Shop 2 &lt;i>');
    expect(r.text).toContain('- Shop 2 <i> (in person): planned 3, completed 2, missed 1, declined 0, unfilled 0');
    // on a phone each count is named beside it, one touchpoint per block
    expect(r.html).toContain("table.coverage td:nth-child(4)::before{content:'missed '");

    const many = Array.from({ length: 300 }, (_, i) => tp(i, i === 250 ? 2 : 0));
    const rows = Array.from({ length: 600 }, (_, i) => row(i, i % 10 === 0 ? 'contradicted' : 'consistent'));
    const mail = renderDigest({ ...payload(rows), coverageByTouchpoint: many }, ctx, {
      maxHtmlBytes: MAIL_HTML_BUDGET,
    });
    expect(mail.cut).toBe(true);
    expect(mail.html).toContain('Shop 250 &lt;i>'); // the one with missed tests is kept
    expect(mail.html).toContain('and 280 more touchpoints on the web.');
    expect(renderDigest(payload([]), ctx).html).not.toContain('table class="coverage"'); // none before it existed
  });
});

describe('resultsLinkOf', () => {
  it("points at the console's results on the digest link's host, and stays relative for any other link", () => {
    expect(resultsLinkOf({ link: 'https://gt.example.org/d/abc' })).toBe('https://gt.example.org/results');
    for (const link of ['', '#', 'not a url']) expect(resultsLinkOf({ link })).toBe('/results');
  });
});
