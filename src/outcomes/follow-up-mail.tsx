import { inZone, oneLine } from '../assignments/assignment-mails.js';
import { longDate, mailLocale } from '../common/locale.js';
import { mailDocument } from '../mail/mail-document.js';
import type { OutgoingMail } from '../mail/outbox.service.js';

export const ANSWER_LABELS = {
  kept: 'Yes, by the promised date',
  late: 'Yes, but later than promised',
  broken: 'No, it never came',
} as const;

/** "Did they get back to you?" — three one-click answers, each confirmed on the page. */
export function followUpMail(ctx: {
  organizationId: string;
  outcomeId: string;
  tester: { name: string; email: string; timezone: string; locale: string | null };
  touchpointName: string;
  promisedBy: string;
  attemptedAt: Date;
  link: string;
}): OutgoingMail {
  const locale = mailLocale(ctx.tester);
  const contacted = longDate(inZone(ctx.attemptedAt, ctx.tester.timezone).toISODate()!, locale);
  const by = longDate(ctx.promisedBy, locale);
  const answers = Object.entries(ANSWER_LABELS).map(([key, label]) => ({ label, url: `${ctx.link}?answer=${key}` }));
  return {
    organizationId: ctx.organizationId,
    to: ctx.tester.email,
    subject: oneLine(`Did ${ctx.touchpointName} get back to you?`),
    text: [
      `Hello ${ctx.tester.name},`,
      '',
      `When you contacted ${ctx.touchpointName} on ${contacted}, you were promised a callback or an email by ${by}. Did it come?`,
      '',
      ...answers.map((a) => `${a.label}: ${a.url}`),
      '',
      'Each link asks you to confirm before anything is saved.',
    ].join('\n'),
    html: mailDocument(
      <>
        <p>Hello {ctx.tester.name},</p>
        <p>
          When you contacted {ctx.touchpointName} on {contacted}, you were promised a callback or an email by {by}. Did
          it come?
        </p>
        <ul>
          {answers.map((a) => (
            <li>
              <a href={a.url}>{a.label}</a>
            </li>
          ))}
        </ul>
        <p>Each link asks you to confirm before anything is saved.</p>
      </>,
    ),
    dedupeKey: `promise:${ctx.outcomeId}`,
  };
}
