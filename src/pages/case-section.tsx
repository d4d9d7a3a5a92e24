import { DateTime } from 'luxon';

import { renderFragment } from '../common/jsx.js';
import {
  DEFAULT_LOCALE,
  formatDateField,
  formatDateTimeField,
  longDateTime,
  parseDateField,
  parseDateTimeField,
} from '../common/locale.js';
import { page } from '../common/page-shell.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import type { CaseContactView, CaseView } from '../outcomes/case.dto.js';
import { Choices, TextField, YES_NO, formState } from './outcome-form.js';
import type { FormContext, FormState, FormValues } from './outcome-form.js';

/**
 * The case on the tester's link page: each contact so far (its date in the tester's zone) and a form for the next
 * one, until the case is resolved or given up. The form's fields carry a `case` prefix: the page also holds the
 * first contact's own form.
 */

/** The API's field names, as the case form names them. */
const FIELD = {
  kind: 'caseKind',
  attemptedAt: 'caseAttemptedAt',
  reachedHuman: 'caseReachedHuman',
  repeatedStory: 'caseRepeatedStory',
  status: 'caseStatus',
  promisedFollowUpBy: 'casePromisedFollowUpBy',
  previousPromise: 'casePreviousPromise',
  notes: 'caseNotes',
} as const;

const MESSAGES: Record<string, string> = {
  'attemptedAt:afterPreviousContact': 'This is before the previous contact of the case',
  'attemptedAt:notInFuture': 'This time is in the future',
  'attemptedAt:maxContacts': 'This case has as many contacts as one may have: resolve it or give it up',
  'promisedFollowUpBy:onlyWhenContinues': 'Only while the case goes on: leave it empty, or choose “It goes on”',
  'previousPromise:noPromiseMade': 'Nothing was promised on the contact before: choose “Not asked”',
};

export interface CaseSectionInfo {
  view: CaseView;
  action: string;
  giveUpAction: string;
  /** The next contact's form as last posted, and what was wrong with it. */
  values?: FormValues;
  errors?: FieldError[];
}

const KIND_TEXT: Record<CaseContactView['kind'], string> = {
  first: 'First contact',
  callback: 'They came back to you',
  chase: 'You chased (called, wrote or went again)',
};
const RESULT_TEXT: Record<string, string> = {
  resolved: 'resolved',
  partial: 'partly resolved',
  unresolved: 'not resolved',
  continues: 'it goes on',
  given_up: 'given up',
};
const PROMISE_TEXT = { kept: 'kept', late: 'came late', broken: 'never came' } as const;

const localeOf = (ctx: FormContext) => ctx.locale ?? DEFAULT_LOCALE;

/** The case form's posted values as the API's body, with the cells that could not be read. */
export function parseCaseForm(
  body: FormValues,
  ctx: FormContext,
  now: Date,
): { plain: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const plain: Record<string, unknown> = {};
  const locale = localeOf(ctx);
  const need = (field: keyof typeof FIELD, message: string) => errors.push({ field, rule: 'required', message });
  const at = parseDateTimeField(body[FIELD.attemptedAt] ?? '', ctx.zone, locale);
  if (at) plain.attemptedAt = at.toISO({ suppressMilliseconds: true });
  else {
    const like = formatDateTimeField(now, ctx.zone, locale);
    errors.push({ field: 'attemptedAt', rule: 'format', message: `Give the date and time, written like ${like}` });
  }
  if (body[FIELD.kind]) plain.kind = body[FIELD.kind];
  else need('kind', 'Who made this contact? Choose one');
  const reached = body[FIELD.reachedHuman];
  if (reached === 'yes' || reached === 'no') plain.reachedHuman = reached === 'yes';
  else need('reachedHuman', 'Did a person take part? Choose yes or no');
  plain.repeatedStory = body[FIELD.repeatedStory] === 'yes';
  if (body[FIELD.status]) plain.status = body[FIELD.status];
  else need('status', 'Where does it stand now? Choose one');
  const promised = body[FIELD.promisedFollowUpBy]?.trim();
  if (promised) {
    const date = parseDateField(promised, locale);
    if (date) plain.promisedFollowUpBy = date;
    else {
      const like = formatDateField(DateTime.fromJSDate(now, { zone: ctx.zone }).toISODate()!, locale);
      errors.push({ field: 'promisedFollowUpBy', rule: 'format', message: `Write the date like ${like}` });
    }
  }
  if (body[FIELD.previousPromise]) plain.previousPromise = body[FIELD.previousPromise];
  if (body[FIELD.notes]?.trim()) plain.notes = body[FIELD.notes];
  return { plain, errors };
}

/** The API's errors under the case form's own field names, each field's first only. */
function caseState(values: FormValues, errors: FieldError[]): FormState {
  const named = errors.map((e) => ({
    ...e,
    field: FIELD[e.field as keyof typeof FIELD] ?? FIELD.attemptedAt,
    message: MESSAGES[`${e.field}:${e.rule}`] ?? e.message,
  }));
  return formState(values, named);
}

function ContactItem({ c, ctx }: { c: CaseContactView; ctx: FormContext }) {
  const result = c.kind === 'first' ? RESULT_TEXT[c.resolution ?? ''] : RESULT_TEXT[c.status ?? ''];
  const facts = [
    c.reachedHuman ? 'a person took part' : 'no person',
    c.repeatedStory ? 'story told again' : null,
    result,
    c.promisedFollowUpBy
      ? `promised by ${formatDateField(c.promisedFollowUpBy, localeOf(ctx))}` +
        (c.promiseStatus ? ` (${PROMISE_TEXT[c.promiseStatus]})` : '')
      : null,
  ].filter(Boolean);
  return (
    <li>
      <strong>
        {c.seq}. {KIND_TEXT[c.kind]}
      </strong>{' '}
      — {longDateTime(c.attemptedAt, ctx.zone, localeOf(ctx))}: {facts.join(', ')}
      {c.notes ? <p class="hint">{c.notes}</p> : null}
    </li>
  );
}

function statusLine(view: CaseView, ctx: FormContext): string {
  const locale = localeOf(ctx);
  if (view.status === 'resolved')
    return `Resolved on ${longDateTime(view.endedAt!, ctx.zone, locale)}, after ${view.contactCount} contact(s).`;
  if (view.status === 'given_up') return `Given up on ${longDateTime(view.endedAt!, ctx.zone, locale)}, unresolved.`;
  return view.stale
    ? 'Still open, with no contact for over 30 days. Record what happened since, or give it up.'
    : 'Still open: record each further contact here until it is resolved, or give it up.';
}

export function CaseSection({ ctx, info }: { ctx: FormContext; info: CaseSectionInfo }) {
  const { view } = info;
  const errors = info.errors ?? [];
  const state = caseState(info.values ?? {}, errors);
  const previous = view.contacts[view.contacts.length - 1];
  const pendingPromise = previous.promisedFollowUpBy !== null && previous.promiseStatus === null;
  return (
    <section id="case" aria-labelledby="case-heading">
      <h2 id="case-heading">The case so far</h2>
      <p role="status">{statusLine(view, ctx)}</p>
      <ol class="case">
        {view.contacts.map((c) => (
          <ContactItem c={c} ctx={ctx} />
        ))}
      </ol>
      {view.status !== 'open' ? null : (
        <>
          <h2 id="next-heading">Record the next contact</h2>
          {errors.length ? (
            <div class="summary" role="alert">
              <p>
                <strong>Please check {errors.length === 1 ? 'one answer' : `${errors.length} answers`}</strong> — the
                notes are next to each.
              </p>
            </div>
          ) : null}
          <form method="post" action={info.action} noValidate aria-labelledby="next-heading">
            <Choices
              state={state}
              name={FIELD.kind}
              o={{ label: 'Who made this contact?' }}
              options={[
                ['callback', 'They came back to me (a callback, a reply)'],
                ['chase', 'I chased (called, wrote or went again)'],
              ]}
            />
            <TextField
              state={state}
              name={FIELD.attemptedAt}
              o={{
                label: 'When?',
                hint: `Your time (${ctx.zone}), written like ${formatDateTimeField(previous.attemptedAt, ctx.zone, localeOf(ctx))}`,
              }}
              autoComplete="off"
            />
            <Choices
              state={state}
              name={FIELD.reachedHuman}
              o={{ label: 'Did a person take part?' }}
              options={YES_NO}
            />
            <Choices
              state={state}
              name={FIELD.repeatedStory}
              o={{ label: 'Did you have to tell your story again?' }}
              options={YES_NO}
            />
            {pendingPromise ? (
              <Choices
                state={state}
                name={FIELD.previousPromise}
                o={{
                  label: `You were promised a follow-up by ${formatDateField(previous.promisedFollowUpBy!, localeOf(ctx))}: did it come?`,
                  hint: 'Left as “Not asked”, a callback by that date counts as kept, and a chase after it as never came',
                }}
                options={[
                  ['kept', 'Yes, by that date'],
                  ['late', 'Yes, but late'],
                  ['broken', 'No, it never came'],
                ]}
                clear="Not asked"
              />
            ) : null}
            <Choices
              state={state}
              name={FIELD.status}
              o={{ label: 'Where does it stand now?' }}
              options={[
                ['continues', 'It goes on'],
                ['resolved', 'Resolved'],
                ['given_up', 'I give up: it stays unresolved'],
              ]}
            />
            <TextField
              state={state}
              name={FIELD.promisedFollowUpBy}
              o={{ label: 'Were you promised a callback or reply? By when (optional)', hint: 'Only if it goes on' }}
              autoComplete="off"
            />
            <div>
              <label class="block" for={FIELD.notes}>
                Notes (optional)
              </label>
              <textarea id={FIELD.notes} name={FIELD.notes} maxLength={4000}>
                {state.values[FIELD.notes] ?? ''}
              </textarea>
            </div>
            <button type="submit" name="action" value="contact">
              Save this contact
            </button>
          </form>
          <form method="post" action={info.giveUpAction}>
            <p class="hint">Stopping without a further contact? The case ends unresolved.</p>
            <button type="submit" class="secondary" name="action" value="give-up">
              Give up this case
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/** The case alone, once the first contact can no longer be edited. */
export function casePage(ctx: FormContext, info: CaseSectionInfo): string {
  return page(
    `Case: ${ctx.touchpoint.name}`,
    renderFragment(
      <>
        <h1>Case: {ctx.touchpoint.name}</h1>
        <p class="hint">The first contact is recorded; the 48 hours to change it have passed.</p>
        <CaseSection ctx={ctx} info={info} />
      </>,
    ),
  );
}
