import { ManualClock } from '../src/common/clock.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { handComputedCase } from './support/digest-case.js';
import { auth } from './support/factories.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { createTestApp } from './support/test-app.js';

describe('the digest job', () => {
  it('sends exactly one digest per period with text, HTML and an inline chart, even with two instances', async () => {
    const sink = await startSmtpSink();
    const a = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
      clock: new ManualClock('2026-11-22T20:00:00Z'),
    });
    const b = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
      clock: new ManualClock('2026-11-22T20:00:00Z'),
      databaseUrl: a.databaseUrl,
    });
    try {
      // Created on Sunday evening; the first digest is due Monday 23 Nov 08:00 for 16–23 Nov.
      const { quality, sub } = await handComputedCase(a);
      const [ja, jb] = [a.app.get(JobsService), b.app.get(JobsService)];
      for (const at of [
        '2026-11-23T07:59:00Z',
        '2026-11-23T08:00:00Z',
        '2026-11-23T08:01:00Z',
        '2026-11-23T09:00:00Z',
      ]) {
        a.clock.set(at);
        b.clock.set(at);
        await Promise.all([ja.run('digest'), jb.run('digest')]);
        await Promise.all([ja.run('outbox'), jb.run('outbox')]);
      }
      const digests = sink.messages.filter((m) => m.subject?.startsWith('Monday digest'));
      // Two recipients (an address and a person), one digest each.
      expect(digests).toHaveLength(2);
      const mail = digests[0];
      expect(mail.subject).toBe('Monday digest: 2 of 5 claims contradicted (16 Nov 2026 – 23 Nov 2026)');
      expect(mail.text).toMatch(
        /General line · answer rate: claimed 96 %, observed 60 % \(95 % 26 %–88 %\), n 10, gap −36 pts worse: contradicted; could detect \d+ pts, contacts needed \d+ for 10 pts \[10 of them ad hoc\]/,
      );
      expect(mail.text).toMatch(
        /General line · transfer rate: claimed 5\.0 %, observed 40 % \(95 % 12 %–74 %\), n 10, gap \+35 pts worse: contradicted/,
      );
      expect(mail.text).toMatch(
        /General line · courtesy avg: claimed 3\.0, observed 4\.0 \(95 % \d\.\d–\d\.\d\), n 6, gap \+1\.0 better: inconclusive/,
      );
      expect(mail.text).toContain(
        '"Contradicted" means the test contacts would be very unlikely if the claim were true',
      );
      expect(mail.html).toContain('<td style="text-align:right;white-space:nowrap;color:#b00020">+35 pts worse</td>');
      // mailparser inlines an image referenced by cid: only when the part with that Content-ID exists.
      expect(mail.html).toMatch(
        /<img src="data:image\/png;base64,[A-Za-z0-9+/=]{100,}" alt="Claims against observed 95 % intervals"/,
      );
      const chart = mail.attachments.find((x) => x.contentType === 'image/png')!;
      expect(chart.cid).toBe('digest-chart');
      expect(chart.content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const runs = await a.dataSource.query('SELECT id, period_start, period_end FROM digest_run');
      expect(runs).toHaveLength(1);
      expect(runs[0].period_start.toISOString()).toBe('2026-11-16T08:00:00.000Z');

      // The stored run and the signed web page show exactly what was sent.
      const stored = await a.http().get(`/api/v1/digests/${runs[0].id}`).set(auth(quality.key)).expect(200);
      expect(stored.body.payload.headline).toBe('2 of 5 claims contradicted');
      // Each recipient has a link of their own, in the text and the HTML part alike.
      const [link, other] = digests.map((m) => /http:\/\/gt\.test(\/d\/[A-Za-z0-9_-]{43})/.exec(m.text ?? '')![1]);
      expect(other).not.toBe(link);
      expect(mail.html).toContain(`http://gt.test${link}`);
      const page = await a.http().get(link).expect(200);
      expect(page.text).toContain('2 of 5 claims contradicted');
      // The chart is inline, so the page holds no secret and is the same for every link (it has a URL of its own too).
      expect(page.text).toMatch(
        /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]{100,}" alt="Claims against observed/,
      );
      expect(page.text).not.toContain(link.slice(3));
      expect((await a.http().get(other).expect(200)).text).toBe(page.text);
      const png = await a.http().get(`${link}/chart.png`).expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      await a
        .http()
        .get(`/d/${'x'.repeat(43)}`)
        .expect(404);

      // A week later the next period goes out once; nothing is re-sent.
      a.clock.set('2026-11-30T08:05:00Z');
      await ja.run('digest');
      await ja.run('digest');
      expect((await a.dataSource.query('SELECT count(*)::int AS n FROM digest_run'))[0].n).toBe(2);
      // Down for three weeks: every missed period is sent on catch-up, each once.
      a.clock.set('2026-12-21T10:00:00Z');
      await Promise.all([ja.run('digest'), jb.run('digest')]);
      const periods = (await a.dataSource.query('SELECT period_start FROM digest_run ORDER BY period_start')).map(
        (r: { period_start: Date }) => r.period_start.toISOString().slice(0, 10),
      );
      expect(periods).toEqual(['2026-11-16', '2026-11-23', '2026-11-30', '2026-12-07', '2026-12-14']);
      void sub;
    } finally {
      await b.close();
      await a.close();
      await sink.close();
    }
  });
});
