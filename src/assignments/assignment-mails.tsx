import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';

import { mailLocale, shortDayAndTime, timeOfDay, windowText } from '../common/locale.js';
import { mailDocument } from '../mail/mail-document.js';
import type { OutgoingMail } from '../mail/outbox.service.js';

/** Everything the tester-facing mails need about one assignment. */
export interface AssignmentMailContext {
  assignmentId: string;
  organizationId: string;
  /** `locale`: the tester's own date format (BCP 47), if set; mails otherwise use the default. */
  tester: { name: string; email: string; timezone: string; locale?: string | null };
  touchpoint: { name: string; channel: string; contact: string };
  scenario: { title: string; brief: string } | null;
  windowStart: Date;
  windowEnd: Date;
  /** The tester's link to the outcome form (carries a single-purpose secret). */
  link?: string;
}

const HOW_TO_REACH: Record<string, string> = {
  phone: 'Call',
  chat: 'Open the web chat at',
  email: 'Write to',
  in_person: 'Visit',
  web_form: 'Fill in the form at',
  social: 'Send a message via',
};

/** "Call +44 20 7946 0000", "Open the web chat at https://…": what the tester does, by channel. */
export function howToReach(touchpoint: { channel: string; contact: string }): string {
  return `${HOW_TO_REACH[touchpoint.channel] ?? 'Contact'} ${touchpoint.contact}`;
}

/** A mail subject is one line, whatever a name contains. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * An instant in a person's zone, for a mail. A zone luxon cannot use (written behind the API) fails the
 * mail, so the job skips and logs that row, instead of sending "Invalid DateTime".
 */
export function inZone(instant: Date, zone: string): DateTime {
  const local = DateTime.fromJSDate(instant, { zone });
  if (!local.isValid) {
    throw new Error(`time zone ${JSON.stringify(zone)} is not one the service can use: ${local.invalidReason}`);
  }
  return local;
}

/** A test's window in the tester's own zone and date format (a zone the service cannot use fails the mail). */
export function windowForTester(ctx: AssignmentMailContext): string {
  inZone(ctx.windowStart, ctx.tester.timezone);
  return windowText(ctx.windowStart, ctx.windowEnd, ctx.tester.timezone, mailLocale(ctx.tester));
}

function calendar(
  ctx: AssignmentMailContext,
  sequence: number,
  summary: string,
  details?: { description: string; location: string },
) {
  const cal = ical({
    prodId: { company: 'Groundtruth', product: 'test contacts' },
    method: ICalCalendarMethod.PUBLISH,
  });
  cal.createEvent({
    id: `${ctx.assignmentId}@groundtruth`,
    sequence,
    start: ctx.windowStart,
    end: ctx.windowEnd,
    summary,
    ...(details ? { description: details.description, location: details.location } : {}),
  });
  return {
    filename: 'test-contact.ics',
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: cal.toString(),
  };
}

/** At reveal time: where, what and when, a calendar event, and the link to record the outcome. */
export function revealMail(ctx: AssignmentMailContext): OutgoingMail {
  const when = windowForTester(ctx);
  const startsAt = shortDayAndTime(ctx.windowStart, ctx.tester.timezone, mailLocale(ctx.tester));
  const how = howToReach(ctx.touchpoint);
  const brief = ctx.scenario
    ? `${ctx.scenario.title}: ${ctx.scenario.brief}`
    : 'Make an ordinary enquiry, as any customer would.';
  const text = [
    `Hello ${ctx.tester.name},`,
    '',
    `You have a test contact to make: ${ctx.touchpoint.name}.`,
    '',
    `When: ${when}`,
    `How:  ${how}`,
    `Ask:  ${brief}`,
    '',
    'Make the contact as an ordinary customer would; do not say it is a test. Note waits, transfers and dropped lines,',
    'and whether your options were explained. Do not record the name of the person who helps you.',
    '',
    `Record what happened (or decline if you cannot make it): ${ctx.link}`,
    '',
    'This link is yours alone; do not forward it.',
  ].join('\n');
  const html = mailDocument(
    <>
      <p>Hello {ctx.tester.name},</p>
      <p>
        <strong>When:</strong> {when}
        <br />
        <strong>How:</strong> {how}
        <br />
        <strong>Ask:</strong> {brief}
      </p>
      <p>
        Make the contact as an ordinary customer would; do not say it is a test. Note waits, transfers and dropped
        lines, and whether your options were explained. Do not record the name of the person who helps you.
      </p>
      <p>
        <a href={ctx.link ?? ''}>Record what happened</a> (or decline if you cannot make it). This link is yours alone;
        do not forward it.
      </p>
    </>,
    `Your test contact: ${ctx.touchpoint.name}`,
  );
  return {
    organizationId: ctx.organizationId,
    to: ctx.tester.email,
    subject: oneLine(`Your test contact: ${ctx.touchpoint.name}, ${startsAt}`),
    text,
    html,
    attachments: [
      calendar(ctx, 1, `Test contact: ${ctx.touchpoint.name}`, {
        description: `${how}\n${brief}\n\nRecord the outcome: ${ctx.link}`,
        location: ctx.touchpoint.contact,
      }),
    ],
    dedupeKey: `reveal:${ctx.assignmentId}`,
  };
}

/** Before reveal, optionally: a hold that blocks the time and says nothing of where or what. */
export function holdMail(ctx: AssignmentMailContext): OutgoingMail {
  const when = windowForTester(ctx);
  const text = [
    `Hello ${ctx.tester.name},`,
    '',
    `Please keep this time free for a Groundtruth test contact: ${when}.`,
    'What and where follow closer to the time.',
  ].join('\n');
  return {
    organizationId: ctx.organizationId,
    to: ctx.tester.email,
    subject: 'Please hold this time for a test contact',
    text,
    html: mailDocument(
      <>
        <p>Hello {ctx.tester.name},</p>
        <p>
          Please keep this time free for a Groundtruth test contact: <strong>{when}</strong>. What and where follow
          closer to the time.
        </p>
      </>,
      'Please hold this time',
    ),
    attachments: [calendar(ctx, 0, 'Groundtruth: time held')],
    dedupeKey: `hold:${ctx.assignmentId}`,
  };
}

/** Before the window closes, if nothing is recorded yet. */
export function reminderMail(ctx: AssignmentMailContext): OutgoingMail {
  inZone(ctx.windowEnd, ctx.tester.timezone);
  const closes = timeOfDay(ctx.windowEnd, ctx.tester.timezone, mailLocale(ctx.tester));
  const text = [
    `Hello ${ctx.tester.name},`,
    '',
    `Your test window for ${ctx.touchpoint.name} closes at ${closes} (${ctx.tester.timezone}).`,
    `If you have made the contact, record what happened: ${ctx.link}`,
    'If you cannot make it, decline on the same page so the test can go to someone else.',
  ].join('\n');
  return {
    organizationId: ctx.organizationId,
    to: ctx.tester.email,
    subject: oneLine(`Reminder: test contact ${ctx.touchpoint.name} closes at ${closes}`),
    text,
    html: mailDocument(
      <>
        <p>Hello {ctx.tester.name},</p>
        <p>
          Your test window for {ctx.touchpoint.name} closes at {closes} ({ctx.tester.timezone}).
        </p>
        <p>
          <a href={ctx.link ?? ''}>Record what happened</a>, or decline on the same page so the test can go to someone
          else.
        </p>
      </>,
      `Your test window closes at ${closes}`,
    ),
    dedupeKey: `remind:${ctx.assignmentId}`,
  };
}

/** The calendar event of a mail that takes a test (or a hold) back: same UID, a later sequence, CANCEL. */
function cancelledEvent(ctx: AssignmentMailContext, summary: string) {
  const cal = ical({ prodId: { company: 'Groundtruth', product: 'test contacts' }, method: ICalCalendarMethod.CANCEL });
  cal.createEvent({
    id: `${ctx.assignmentId}@groundtruth`,
    sequence: 2,
    start: ctx.windowStart,
    end: ctx.windowEnd,
    summary,
    status: ICalEventStatus.CANCELLED,
  });
  const contentType = 'text/calendar; charset=utf-8; method=CANCEL';
  return { filename: 'test-contact.ics', contentType, content: cal.toString() };
}

const DO_NOTHING =
  'Please do not make the contact; nothing needs to be recorded. ' +
  'The link in the earlier mail no longer records anything.';

/** A revealed test is withdrawn: the tester is told, with why, and their calendar event is cancelled. */
export function withdrawalMail(ctx: AssignmentMailContext, why: string): OutgoingMail {
  const when = windowForTester(ctx);
  const text = [
    `Hello ${ctx.tester.name},`,
    '',
    `Your test contact with ${ctx.touchpoint.name} (${when}) is withdrawn: ${why}.`,
    DO_NOTHING,
  ].join('\n');
  return {
    organizationId: ctx.organizationId,
    to: ctx.tester.email,
    subject: oneLine(`Withdrawn: test contact ${ctx.touchpoint.name}`),
    text,
    html: mailDocument(
      <>
        <p>Hello {ctx.tester.name},</p>
        <p>
          Your test contact with {ctx.touchpoint.name} ({when}) is withdrawn: {why}.
        </p>
        <p>{DO_NOTHING}</p>
      </>,
      `Test contact withdrawn: ${ctx.touchpoint.name}`,
    ),
    attachments: [cancelledEvent(ctx, `Withdrawn: test contact ${ctx.touchpoint.name}`)],
    dedupeKey: `withdrawn:${ctx.assignmentId}`,
  };
}

/** A held (not yet revealed) test is withdrawn: the time is released, still without where or what. */
export function holdReleasedMail(ctx: AssignmentMailContext): OutgoingMail {
  const when = windowForTester(ctx);
  const text = `Hello ${ctx.tester.name},\n\nThe time held for a Groundtruth test contact is free again: ${when}.`;
  return {
    organizationId: ctx.organizationId,
    to: ctx.tester.email,
    subject: 'The time held for a test contact is free again',
    text,
    html: mailDocument(
      <>
        <p>Hello {ctx.tester.name},</p>
        <p>
          The time held for a Groundtruth test contact is free again: <strong>{when}</strong>.
        </p>
      </>,
      'The held time is free again',
    ),
    attachments: [cancelledEvent(ctx, 'Groundtruth: time held')],
    dedupeKey: `hold-released:${ctx.assignmentId}`,
  };
}
