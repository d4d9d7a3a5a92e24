import { DateTime } from 'luxon';
import type { VNode } from 'preact';

import { howToReach } from '../assignments/assignment-mails.js';
import { formatDurationInput, MAX_WAIT_SECONDS, parseDurationText } from '../common/durations.js';
import { renderFragment } from '../common/jsx.js';
import {
  DEFAULT_LOCALE,
  formatDateField,
  formatDateTimeField,
  longDateTime,
  parseDateField,
  parseDateTimeField,
  windowText,
} from '../common/locale.js';
import { page } from '../common/page-shell.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import type { Outcome } from '../outcomes/outcome.entity.js';
import { questionsFor } from '../scenarios/question-channels.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import { asks } from '../touchpoints/channel-fields.js';
import type { ChannelField } from '../touchpoints/channel-fields.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { EvidenceLater, EvidenceSection, type EvidenceSectionInfo } from './evidence-section.js';

/** What the page shows about the test (never more than the tester's own assignment). */
export interface FormContext {
  touchpoint: { name: string; channel: Channel; contact: string };
  scenario: { title: string; brief: string; questions: ScenarioQuestion[] } | null;
  window: { start: Date; end: Date };
  /** The tester's own time zone: every date on the form is theirs. */
  zone: string;
  testerName: string;
  /** The reader's locale (their browser's Accept-Language): dates are written and read in its format. */
  locale?: string;
}

export type FormValues = Record<string, string>;

const localeOf = (ctx: FormContext) => ctx.locale ?? DEFAULT_LOCALE;

const windowOf = (ctx: FormContext) => windowText(ctx.window.start, ctx.window.end, ctx.zone, localeOf(ctx));

const durationField = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? '' : formatDurationInput(seconds);

/** The form's values for a saved outcome, or for a new one (attempted at the window's start, or now if within it). */
export function initialValues(ctx: FormContext, outcome: Outcome | null, now: Date): FormValues {
  const local = (d: Date) => formatDateTimeField(d, ctx.zone, localeOf(ctx));
  const yesNo = (b: boolean | null | undefined) => (b === null || b === undefined ? '' : b ? 'yes' : 'no');
  if (!outcome) {
    const inWindow = now >= ctx.window.start && now <= ctx.window.end;
    const counts: FormValues = {};
    for (const field of ['transfers', 'disconnects'] as const)
      if (asks(ctx.touchpoint.channel, field)) counts[field] = '0';
    return { attemptedAt: local(inWindow ? now : ctx.window.start), ...counts };
  }
  const values: FormValues = {
    attemptedAt: local(outcome.attemptedAt),
    reachedHuman: yesNo(outcome.reachedHuman),
    secondsToHuman: durationField(outcome.secondsToHuman),
    holdSeconds: durationField(outcome.holdSeconds),
    transfers: String(outcome.transfers),
    disconnects: String(outcome.disconnects),
    repeatedStory: yesNo(outcome.repeatedStory),
    botFirst: yesNo(outcome.botFirst),
    answeredQuestion: yesNo(outcome.answeredQuestion),
    queueSeconds: durationField(outcome.queueSeconds),
    queueSystemWorked: outcome.queueSystemWorked === null ? 'none' : yesNo(outcome.queueSystemWorked),
    staffFree: yesNo(outcome.staffFree),
    resolution: outcome.resolution,
    optionsExplained: yesNo(outcome.optionsExplained),
    courtesy: outcome.courtesy === null ? '' : String(outcome.courtesy),
    knowledge: outcome.knowledge === null ? '' : String(outcome.knowledge),
    staffGaveName: yesNo(outcome.staffGaveName),
    promisedFollowUpBy: outcome.promisedFollowUpBy ? formatDateField(outcome.promisedFollowUpBy, localeOf(ctx)) : '',
    // a case with later contacts goes on from its first contact, whatever became of it since
    caseContinues:
      outcome.caseContacts > 1 || outcome.caseStatus === 'open' ? 'yes' : outcome.resolution === 'resolved' ? '' : 'no',
    notes: outcome.notes ?? '',
  };
  for (const [key, v] of Object.entries(outcome.answers))
    values[`answers.${key}`] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  return values;
}

function parseDuration(field: string, text: string | undefined, errors: FieldError[]): number | null {
  const v = (text ?? '').trim();
  if (v === '') return null;
  const seconds = parseDurationText(v);
  if (seconds === null) {
    errors.push({
      field,
      rule: 'format',
      message: 'Write the time as hours:minutes:seconds (1:04:30), minutes:seconds (4:30) or days and hours (1d 3h)',
    });
    return null;
  }
  if (seconds > MAX_WAIT_SECONDS) {
    errors.push({ field, rule: 'max', message: 'At most 14 days (14d)' });
    return null;
  }
  return seconds;
}

function parseYesNo(text: string | undefined): boolean | null {
  return text === 'yes' ? true : text === 'no' ? false : null;
}

function parseInteger(
  field: string,
  text: string | undefined,
  errors: FieldError[],
  empty: number | null,
): number | null {
  const v = (text ?? '').trim();
  if (v === '') return empty;
  if (!/^-?\d+$/.test(v)) {
    errors.push({ field, rule: 'isInt', message: `${field} must be a whole number` });
    return empty;
  }
  return Number(v);
}

/**
 * The posted form as the API's outcome body, plus the errors of cells that could not be read.
 * Empty optional fields are left out, so the API's own rules apply unchanged.
 */
export function parseForm(
  body: FormValues,
  ctx: FormContext,
): { plain: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const plain: Record<string, unknown> = {};
  const locale = localeOf(ctx);
  const attempted = parseDateTimeField(body.attemptedAt ?? '', ctx.zone, locale);
  if (!attempted) {
    const like = formatDateTimeField(ctx.window.start, ctx.zone, locale);
    const message = `Give the date and time of the contact, written like ${like}`;
    errors.push({ field: 'attemptedAt', rule: 'format', message });
  } else plain.attemptedAt = attempted.toISO({ suppressMilliseconds: true });
  const reached = parseYesNo(body.reachedHuman);
  if (reached === null)
    errors.push({ field: 'reachedHuman', rule: 'required', message: 'Did a person answer? Choose yes or no' });
  else plain.reachedHuman = reached;
  // only what the touchpoint's channel asks is read: a store's form sends no dropped lines
  const asked = (field: Parameters<typeof asks>[1]) => asks(ctx.touchpoint.channel, field);
  for (const field of ['secondsToHuman', 'holdSeconds', 'queueSeconds'] as const) {
    const seconds = asked(field) ? parseDuration(field, body[field], errors) : null;
    if (seconds !== null) plain[field] = seconds;
  }
  if (asked('transfers')) plain.transfers = parseInteger('transfers', body.transfers, errors, 0);
  if (asked('disconnects')) plain.disconnects = parseInteger('disconnects', body.disconnects, errors, 0);
  for (const field of ['botFirst', 'answeredQuestion', 'queueSystemWorked', 'staffFree'] as const) {
    const answer = asked(field) ? parseYesNo(body[field]) : null;
    if (answer !== null) plain[field] = answer;
  }
  plain.repeatedStory = parseYesNo(body.repeatedStory) ?? false;
  if (body.resolution) plain.resolution = body.resolution;
  else errors.push({ field: 'resolution', rule: 'required', message: 'Was it resolved? Choose one' });
  const explained = parseYesNo(body.optionsExplained);
  if (explained !== null) plain.optionsExplained = explained;
  for (const rating of ['courtesy', 'knowledge'] as const) {
    const v = parseInteger(rating, body[rating], errors, null);
    if (v !== null) plain[rating] = v;
  }
  const gaveName = parseYesNo(body.staffGaveName);
  if (gaveName !== null) plain.staffGaveName = gaveName;
  const promised = body.promisedFollowUpBy?.trim();
  if (promised) {
    const date = parseDateField(promised, locale);
    if (date) plain.promisedFollowUpBy = date;
    else {
      const like = formatDateField(DateTime.fromJSDate(ctx.window.start).toISODate()!, locale);
      errors.push({ field: 'promisedFollowUpBy', rule: 'format', message: `Write the date like ${like}` });
    }
  }
  // asked only when not resolved: a yes left from before the matter was resolved is no trap
  const continues = parseYesNo(body.caseContinues);
  if (continues !== null && body.resolution !== 'resolved') plain.caseContinues = continues;
  if (body.notes?.trim()) plain.notes = body.notes;
  const answers: Record<string, unknown> = {};
  for (const q of questionsFor(ctx.scenario?.questions ?? [], ctx.touchpoint.channel)) {
    const raw = (body[`answers.${q.key}`] ?? '').trim();
    if (raw === '') continue;
    if (q.type === 'yes_no') answers[q.key] = parseYesNo(raw) ?? raw;
    else if (q.type === 'seconds') {
      const v = parseDuration(`answers.${q.key}`, raw, errors);
      if (v !== null) answers[q.key] = v;
    } else if (q.type === 'number' || q.type === 'rating')
      answers[q.key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else answers[q.key] = raw;
  }
  plain.answers = answers;
  return { plain, errors };
}

interface FieldOptions {
  label: string;
  hint?: string;
}

interface ChannelWording {
  reached: FieldOptions;
  wait: FieldOptions;
  /** The hint of what is asked only once a person answered (replied, joined, served). */
  onlyWhenReached: string;
}

/** The inputs the form uses, and what a phone's keyboard needs to know of them. */
interface InputExtras {
  /** Dates are text in the reader's own format: a browser's date inputs write the browser's, not the tester's. */
  type?: 'text' | 'number';
  inputMode?: 'numeric' | 'decimal';
  autoComplete?: 'off';
  min?: string;
  max?: string;
}

/** The API's messages name fields; on the form, the same rules speak to the person filling it in. */
const FORM_MESSAGES: Record<string, string> = {
  'secondsToHuman:onlyWhenReached': 'Leave the wait empty when nobody answered',
  'secondsToHuman:requiredWhenReached': 'How long until a person answered? (e.g. 4:30)',
  'courtesy:requiredWhenReached': 'Rate the courtesy (1–5)',
  'courtesy:onlyWhenReached': 'Nobody answered: choose “Not rated”',
  'knowledge:requiredWhenReached': 'Rate the knowledge (1–5)',
  'knowledge:onlyWhenReached': 'Nobody answered: choose “Not rated”',
  'staffGaveName:onlyWhenReached': 'Nobody answered: choose “Not asked”',
  'answeredQuestion:onlyWhenReached': 'Nobody replied: choose “Not asked”',
  'optionsExplained:requiredWhenUnresolved': 'It was not resolved: were your options explained, or why not?',
  'optionsExplained:onlyWhenUnresolved': 'It was resolved: choose “Not asked (resolved)”',
  'attemptedAt:notInFuture': 'This time is in the future',
  'attemptedAt:nearWindow': 'This is far from the test window: the contact must be made within it',
  'resolution:isIn': 'Was it resolved? Choose one',
  'caseContinues:onlyWhenUnresolved': 'It was resolved: choose “Not asked (resolved)”',
  'caseContinues:caseHasLaterContacts': 'Later contacts are recorded: the matter went on from this one (choose Yes)',
  'resolution:caseHasLaterContacts': 'Later contacts are recorded: this first contact cannot have resolved it',
};

/** What every field needs to show its value, its hint and its error (the first error of its name). */
export interface FormState {
  values: FormValues;
  byField: Map<string, string>;
}

/** The ids a field's aria-describedby names: its hint, then its error. */
function describedBy(state: FormState, name: string, hint?: string): string | undefined {
  const ids = [hint ? `${name}-hint` : '', state.byField.has(name) ? `${name}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

const errorClass = (state: FormState, name: string) => (state.byField.has(name) ? 'has-error' : undefined);

function Hint({ name, hint }: { name: string; hint?: string }) {
  return hint ? (
    <p class="hint" id={`${name}-hint`}>
      {hint}
    </p>
  ) : null;
}

function FieldError({ state, name }: { state: FormState; name: string }) {
  const message = state.byField.get(name);
  return message === undefined ? null : (
    <p class="error" id={`${name}-error`}>
      {message}
    </p>
  );
}

export function TextField(props: { state: FormState; name: string; o: FieldOptions } & InputExtras) {
  const { state, name, o, type = 'text', ...extra } = props;
  const attrs = {
    id: name,
    name,
    value: state.values[name] ?? '',
    'aria-describedby': describedBy(state, name, o.hint),
  };
  // one element per type: preact's types check each input type's own attributes
  const input =
    type === 'number' ? <input type="number" {...attrs} {...extra} /> : <input type="text" {...attrs} {...extra} />;
  return (
    <div class={errorClass(state, name)}>
      <label class="block" for={name}>
        {o.label}
      </label>
      <Hint name={name} hint={o.hint} />
      {input}
      <FieldError state={state} name={name} />
    </div>
  );
}

/**
 * A group of radio buttons. With `clear`, a last choice (that label, value empty) answers "not asked": a radio once
 * ticked cannot be unticked, so without it a tester who ticked by mistake could never leave the question empty.
 */
export function Choices(props: {
  state: FormState;
  name: string;
  o: FieldOptions;
  options: Array<[string, string]>;
  clear?: string;
}) {
  const { state, name, o, clear } = props;
  const options: Array<[string, string]> = clear ? [...props.options, ['', clear]] : props.options;
  return (
    <fieldset class={errorClass(state, name)} aria-describedby={describedBy(state, name, o.hint)}>
      <legend>{o.label}</legend>
      <Hint name={name} hint={o.hint} />
      <div class="choices">
        {options.map(([value, label]) => (
          <label for={`${name}-${value || 'none'}`} class={value ? undefined : 'none'}>
            <input
              type="radio"
              id={`${name}-${value || 'none'}`}
              name={name}
              value={value}
              checked={state.values[name] === value}
            />{' '}
            {label}
          </label>
        ))}
      </div>
      <FieldError state={state} name={name} />
    </fieldset>
  );
}

export const YES_NO: Array<[string, string]> = [
  ['yes', 'Yes'],
  ['no', 'No'],
];
const SCALE: Array<[string, string]> = ['1', '2', '3', '4', '5'].map((v) => [v, v]);

function Question({ state, q, channel }: { state: FormState; q: ScenarioQuestion; channel: string }) {
  const name = `answers.${q.key}`;
  const o = { label: `${q.label}${q.required ? '' : ' (optional)'}` };
  const clear = q.required ? undefined : 'No answer';
  if (q.type === 'yes_no') return <Choices state={state} name={name} o={o} options={YES_NO} clear={clear} />;
  if (q.type === 'rating') return <Choices state={state} name={name} o={o} options={SCALE} clear={clear} />;
  if (q.type === 'choice')
    return <Choices state={state} name={name} o={o} options={(q.options ?? []).map((x) => [x, x])} clear={clear} />;
  if (q.type === 'text') return <TextField state={state} name={name} o={o} />;
  if (q.type === 'seconds')
    return <TextField state={state} name={name} o={{ ...o, hint: waitHint(channel) }} autoComplete="off" />;
  return <TextField state={state} name={name} o={o} type="number" inputMode="decimal" />;
}

/** How a wait is typed: a mailbox (or a web form, or a social message) answers in days and hours, others in h:mm:ss. */
function waitHint(channel: string): string {
  return ['email', 'web_form', 'social'].includes(channel)
    ? 'days and hours, e.g. 1d 3h, or hours:minutes:seconds (up to 14 days)'
    : 'hours:minutes:seconds or minutes:seconds, e.g. 1:04:30 or 4:30 (up to 14 days)';
}

/** The hint under the contact's date and time: the tester's zone, the format, and the value read back in words. */
function attemptedHint(ctx: FormContext, value: string | undefined): string {
  const locale = localeOf(ctx);
  const like = formatDateTimeField(ctx.window.start, ctx.zone, locale);
  const read = value ? parseDateTimeField(value, ctx.zone, locale) : null;
  const readBack = read ? ` — read as ${longDateTime(read.toJSDate(), ctx.zone, locale)}` : '';
  return `Your time (${ctx.zone}), written like ${like}${readBack}`;
}

const WRITTEN: ChannelWording = {
  reached: { label: 'Did a person reply?', hint: 'Not only an automatic acknowledgement' },
  wait: {
    label: 'Wait until a person first replied',
    hint: `${waitHint('email')} — leave empty if nobody replied`,
  },
  onlyWhenReached: 'Only if a person replied',
};

/** How each channel words what every contact is asked: whether a person answered, and after how long. */
const WORDING: Record<Channel, ChannelWording> = {
  phone: {
    reached: { label: 'Did a person answer?', hint: 'Not only a menu or a bot' },
    wait: { label: 'Wait until a person answered', hint: `${waitHint('phone')} — leave empty if nobody answered` },
    onlyWhenReached: 'Only if a person answered',
  },
  chat: {
    reached: { label: 'Did a person join the chat?', hint: 'Not only a bot' },
    wait: { label: 'Wait until a person joined', hint: `${waitHint('chat')} — leave empty if nobody joined` },
    onlyWhenReached: 'Only if a person joined',
  },
  email: WRITTEN,
  web_form: WRITTEN,
  social: WRITTEN,
  // a visit's wait is its queue, asked on its own
  in_person: {
    reached: { label: 'Were you served by a member of staff?' },
    wait: { label: '' },
    onlyWhenReached: 'Only if you were served',
  },
};

export interface FormInfo {
  action: string;
  /** What follows the form on the page (the case so far and its next contact). */
  extra?: VNode;
  declineAction: string;
  editing: boolean;
  editableUntil?: Date;
  canDecline?: boolean;
  /** In the console: its form token on both forms, and the console's layout gives the page its heading. */
  csrf?: string;
  /** A contact made without a test: no window to keep to, nothing to decline; these fields ride along. */
  adHoc?: Record<string, string>;
  /** Files attached to the saved contact, and the form to attach more; `later` before the first save. */
  evidence?: EvidenceSectionInfo | 'later';
}

/** The session's form token, for the console's copy of the form (a link's form has none: its secret is its key). */
const FormToken = ({ info }: { info: FormInfo }) =>
  info.csrf ? <input type="hidden" name="_csrf" value={info.csrf} /> : null;

export function OutcomeForm({
  ctx,
  state,
  errors,
  info,
}: {
  ctx: FormContext;
  state: FormState;
  errors: number;
  info: FormInfo;
}) {
  const ask = ctx.scenario
    ? `${ctx.scenario.title}: ${ctx.scenario.brief}`
    : 'Make an ordinary enquiry, as any customer would.';
  // the form asks what the touchpoint's channel measures, no more (outcome-rules.ts refuses the rest)
  const asked = (field: ChannelField) => asks(ctx.touchpoint.channel, field);
  const wording = WORDING[ctx.touchpoint.channel];
  return (
    <>
      {info.csrf ? null : <h1>Test contact: {ctx.touchpoint.name}</h1>}
      <section class="task">
        {info.adHoc ? null : (
          <p>
            <strong>When:</strong> {windowOf(ctx)}
          </p>
        )}
        <p>
          <strong>How:</strong> {howToReach(ctx.touchpoint)}
        </p>
        <p>
          <strong>Ask:</strong> {ask}
        </p>
      </section>
      {info.editing && info.editableUntil ? (
        <p class="ok" role="status">
          Saved. You can change it until {longDateTime(info.editableUntil, ctx.zone, localeOf(ctx))}.
        </p>
      ) : null}
      <h2>What happened</h2>
      {errors ? (
        <div class="summary" role="alert">
          <p>
            <strong>Please check {errors === 1 ? 'one answer' : `${errors} answers`}</strong> — the notes are next to
            each.
          </p>
        </div>
      ) : null}
      <form method="post" action={info.action} noValidate>
        <FormToken info={info} />
        {Object.entries(info.adHoc ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} key={name} />
        ))}
        <TextField
          state={state}
          name="attemptedAt"
          o={{ label: 'When did you make the contact?', hint: attemptedHint(ctx, state.values.attemptedAt) }}
          autoComplete="off"
        />
        <Choices state={state} name="reachedHuman" o={wording.reached} options={YES_NO} />
        {asked('botFirst') ? (
          <Choices
            state={state}
            name="botFirst"
            o={{ label: 'Did a bot answer before any person?' }}
            options={YES_NO}
            clear="Could not tell"
          />
        ) : null}
        {asked('secondsToHuman') ? (
          <TextField state={state} name="secondsToHuman" o={wording.wait} autoComplete="off" />
        ) : null}
        {asked('answeredQuestion') ? (
          <Choices
            state={state}
            name="answeredQuestion"
            o={{ label: 'Did the first reply answer your question?', hint: 'Only if a person replied' }}
            options={YES_NO}
            clear="Not asked"
          />
        ) : null}
        {asked('holdSeconds') ? (
          <TextField
            state={state}
            name="holdSeconds"
            o={{ label: 'Time on hold after that (optional)', hint: waitHint(ctx.touchpoint.channel) }}
            autoComplete="off"
          />
        ) : null}
        {asked('transfers') ? (
          <TextField
            state={state}
            name="transfers"
            o={{
              label:
                ctx.touchpoint.channel === 'in_person'
                  ? 'How many times were you sent to another desk or person?'
                  : 'How many times were you transferred?',
            }}
            type="number"
            min="0"
            max="50"
            inputMode="numeric"
          />
        ) : null}
        {asked('disconnects') ? (
          <TextField
            state={state}
            name="disconnects"
            o={{ label: `How many times was the ${ctx.touchpoint.channel === 'chat' ? 'chat' : 'line'} dropped?` }}
            type="number"
            min="0"
            max="50"
            inputMode="numeric"
          />
        ) : null}
        {asked('queueSeconds') ? (
          <TextField
            state={state}
            name="queueSeconds"
            o={{
              label: 'How long did you queue?',
              hint: `${waitHint('in_person')} — whether or not anyone served you in the end`,
            }}
            autoComplete="off"
          />
        ) : null}
        {asked('queueSystemWorked') ? (
          <Choices
            state={state}
            name="queueSystemWorked"
            o={{ label: 'Did the ticket or queue system work?' }}
            options={[
              ['yes', 'Yes'],
              ['no', 'No, it failed'],
              ['none', 'There was none'],
            ]}
          />
        ) : null}
        {asked('staffFree') ? (
          <Choices
            state={state}
            name="staffFree"
            o={{ label: 'Was a member of staff free to serve you when you arrived?' }}
            options={YES_NO}
            clear="Not asked"
          />
        ) : null}
        <Choices
          state={state}
          name="repeatedStory"
          o={{ label: 'Did you have to tell your story again?' }}
          options={YES_NO}
        />
        <Choices
          state={state}
          name="resolution"
          o={{ label: 'Was your request resolved?' }}
          options={[
            ['resolved', 'Resolved'],
            ['partial', 'Partly'],
            ['unresolved', 'Not resolved'],
          ]}
        />
        <Choices
          state={state}
          name="optionsExplained"
          o={{
            label: 'If not resolved: were your options explained, or why not?',
            hint: 'Not asked if it was resolved',
          }}
          options={YES_NO}
          clear="Not asked (resolved)"
        />
        <Choices
          state={state}
          name="courtesy"
          o={{ label: 'Courtesy (1 poor – 5 excellent)', hint: wording.onlyWhenReached }}
          options={SCALE}
          clear="Not rated"
        />
        <Choices
          state={state}
          name="knowledge"
          o={{ label: 'Knowledge (1 poor – 5 excellent)', hint: wording.onlyWhenReached }}
          options={SCALE}
          clear="Not rated"
        />
        <Choices
          state={state}
          name="staffGaveName"
          o={{
            label: 'Did the staff member give a name?',
            hint: 'Only whether they did — never write the name down',
          }}
          options={YES_NO}
          clear="Not asked"
        />
        <TextField
          state={state}
          name="promisedFollowUpBy"
          o={{
            label: 'Were you promised a callback or email? By when (optional)',
            hint: `We will ask you the day after whether it came. Written like ${formatDateField(
              DateTime.fromJSDate(ctx.window.start, { zone: ctx.zone }).toISODate()!,
              localeOf(ctx),
            )}`,
          }}
          autoComplete="off"
        />
        <Choices
          state={state}
          name="caseContinues"
          o={{
            label: 'If not resolved: will you follow it up (a callback, a chase, going again)?',
            hint: 'Yes keeps the case open: record each later contact on this page until it is resolved or you give up',
          }}
          options={YES_NO}
          clear="Not asked (resolved)"
        />
        {questionsFor(ctx.scenario?.questions ?? [], ctx.touchpoint.channel).map((q) => (
          <Question state={state} q={q} channel={ctx.touchpoint.channel} />
        ))}
        <div class={errorClass(state, 'notes')}>
          <label class="block" for="notes">
            Notes (optional)
          </label>
          <p class="hint" id="notes-hint">
            What happened, in your words. Describe the system, not the person: no names.
          </p>
          <textarea id="notes" name="notes" maxLength={4000} aria-describedby={describedBy(state, 'notes', 'x')}>
            {state.values.notes ?? ''}
          </textarea>
          <FieldError state={state} name="notes" />
        </div>
        <button type="submit" name="action" value="save">
          Save
        </button>
      </form>
      {info.evidence === 'later' ? <EvidenceLater /> : info.evidence ? <EvidenceSection info={info.evidence} /> : null}
      {info.extra ?? null}
      {info.editing || info.adHoc ? null : info.canDecline === false ? (
        <p class="hint">
          The window has begun, so the test can no longer be declined. Record what happened; with nothing recorded, it
          is marked missed.
        </p>
      ) : (
        <>
          <h2>Cannot make it?</h2>
          <form method="post" action={info.declineAction}>
            <FormToken info={info} />
            <label class="block" for="reason">
              Why not (for the quality team)
            </label>
            <textarea id="reason" name="reason" maxLength={500} required></textarea>
            <p></p>
            <button type="submit" class="secondary">
              Decline this test
            </button>
          </form>
        </>
      )}
    </>
  );
}

/** The form's values and each field's first error, in the words the form uses. */
export function formState(values: FormValues, errors: FieldError[]): FormState {
  const byField = new Map<string, string>();
  for (const err of errors)
    if (!byField.has(err.field)) byField.set(err.field, FORM_MESSAGES[`${err.field}:${err.rule}`] ?? err.message);
  return { values, byField };
}

/** The outcome form, with each error next to its field and the values as entered. */
export function formPage(ctx: FormContext, values: FormValues, errors: FieldError[], info: FormInfo): string {
  return page(
    `Test contact: ${ctx.touchpoint.name}`,
    renderFragment(<OutcomeForm ctx={ctx} state={formState(values, errors)} errors={errors.length} info={info} />),
  );
}

export function savedPage(ctx: FormContext, editableUntil: Date, editUrl: string): string {
  return page(
    'Saved',
    renderFragment(
      <>
        <h1>Thank you</h1>
        <p class="ok">What happened at {ctx.touchpoint.name} is recorded.</p>
        <p>
          You can change it for 48 hours after the first save, until{' '}
          {longDateTime(editableUntil, ctx.zone, localeOf(ctx))} ({ctx.zone}
          ): <a href={editUrl}>change what you recorded</a>.
        </p>
      </>,
    ),
  );
}
