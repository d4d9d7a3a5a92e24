import { ManualClock } from '../src/common/clock.js';
import { MAIL_HTML_BUDGET } from '../src/digests/digest-render.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { handComputedCase } from './support/digest-case.js';
import { auth } from './support/factories.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { createTestApp } from './support/test-app.js';

/**
 * A digest whose table would pass what a mail program shows (Gmail clips HTML over 102 kB) keeps in the
 * mail only its contradicted and inconclusive claims, says so, and links to the whole digest on the web.
 */
describe('a digest too large for a mail', () => {
  it('mails its contradicted and inconclusive claims with a link to the rest, and the web page has them all', async () => {
    const sink = await startSmtpSink();
    const t = await createTestApp({
      env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://gt.test' },
      clock: new ManualClock('2026-11-22T20:00:00Z'),
    });
    try {
      const { quality } = await handComputedCase(t);
      // 400 more claims of a touchpoint nobody tested that week: too few contacts, left out of the mail
      const lines = ['touchpoint,metric,periodStart,periodEnd,value,source,reportedAt'];
      for (let i = 0; i < 400; i++)
        lines.push(`Web chat,answer_rate,2026-11-16,2026-11-22,0.9,Review ${i},2026-11-23T09:00:00Z`);
      await t
        .http()
        .post('/api/v1/claims/import')
        .set(auth(quality.key))
        .set('Content-Type', 'text/csv')
        .send(lines.join('\n'))
        .expect(201);

      t.clock.set('2026-11-23T08:00:30Z');
      const jobs = t.app.get(JobsService);
      await jobs.run('digest');
      await jobs.run('outbox');
      const mail = sink.messages.find(
        (m) => m.subject?.startsWith('Monday digest') && JSON.stringify(m.to).includes('quality@example.org'),
      )!;
      const run = (await t.dataSource.query('SELECT payload FROM digest_run'))[0].payload;
      const keep = run.rows.filter(
        (r: { verdict: string }) => r.verdict === 'contradicted' || r.verdict === 'inconclusive',
      );
      expect(run.rows).toHaveLength(405);
      expect(keep.length).toBeGreaterThan(0);
      expect(keep.length).toBeLessThan(10);

      const html = String(mail.html);
      expect(Buffer.byteLength(html)).toBeLessThanOrEqual(MAIL_HTML_BUDGET);
      expect(mail.subject).toBe('Monday digest: 2 of 405 claims contradicted (16 Nov 2026 – 23 Nov 2026)');
      const note = `it shows the ${keep.length} contradicted and inconclusive claims of the 405 in this digest.`;
      expect(html).toContain(note);
      expect(mail.text).toContain(note);
      expect(html.match(/<tr>/g)).toHaveLength(keep.length);
      expect(html).not.toContain('>consistent<');
      const link = /http:\/\/gt\.test(\/d\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1];
      expect(html).toContain(`href="http://gt.test${link}"`);

      const page = (await t.http().get(link).expect(200)).text;
      expect(page.match(/<tr>/g)).toHaveLength(405);
      expect(page).not.toContain('This mail is cut');
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
