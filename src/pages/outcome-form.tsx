import { DateTime } from 'luxon';

import { howToReach } from '../assignments/assignment-mails.js';
import { formatDuration } from '../common/durations.js';
import { renderFragment } from '../common/jsx.js';
import { page } from '../common/page-shell.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import { asks } from '../outcomes/channel-fields.js';
import type { ChannelField } from '../outcomes/channel-fields.js';
import type { Outcome } from '../outcomes/outcome.entity.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';

/** What the page shows about the test (never more than the tester's own assignment). */
export interface FormContext {
  touchpoint: { name: string; channel: Channel; contact: string };
  scenario: { title: string; brief: string; questions: ScenarioQuestion[] } | null;
  window: { start: Date; end: Date };
  zone: string;
  testerName: string;
}

export type FormValues = Record<string, string>;

function windowText(ctx: FormContext): string {
  const s = DateTime.fromJSDate(ctx.window.start, { zone: ctx.zone }).setLocale('en-GB');
  const end = DateTime.fromJSDate(ctx.window.end, { zone: ctx.zone }).setLocale('en-GB');
  return `${s.toFormat('cccc d LLLL, HH:mm')}–${end.toFormat('HH:mm')} (${ctx.zone})`;
}

const durationField = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? '' : formatDuration(seconds);

/** The form's values for a saved outcome, or for a new one (attempted at the window's start, or now if within it). */
export function initialValues(ctx: FormContext, outcome: Outcome | null, now: Date): FormValues {
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: ctx.zone }).toFormat("yyyy-MM-dd'T'HH:mm");
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
    promisedFollowUpBy: outcome.promisedFollowUpBy ?? '',
    notes: outcome.notes ?? '',
  };
  for (const [key, v] of Object.entries(outcome.answers))
    values[`answers.${key}`] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  return values;
}

function parseDuration(field: string, text: string | undefined, errors: FieldError[]): number | null {
  const v = (text ?? '').trim();
  if (v === '') return null;
  const m = /^(?:(\d{1,3}):([0-5]\d)|(\d{1,4})):([0-5]\d)$/.exec(v) ?? /^()()()(\d{1,6})$/.exec(v);
  if (!m) {
    errors.push({
      field,
      rule: 'format',
      message: 'Write the time as minutes:seconds (4:30), as hours:minutes:seconds (1:04:30) or as seconds (270)',
    });
    return null;
  }
  const minutes = m[1] ? Number(m[1]) * 60 + Number(m[2]) : Number(m[3] || 0);
  return minutes * 60 + Number(m[4]);
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
  const attempted = DateTime.fromFormat((body.attemptedAt ?? '').trim(), "yyyy-MM-dd'T'HH:mm", { zone: ctx.zone });
  if (!attempted.isValid)
    errors.push({ field: 'attemptedAt', rule: 'format', message: 'Give the date and time of the contact' });
  else plain.attemptedAt = attempted.toISO({ suppressMilliseconds: true });
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
  if (body.promisedFollowUpBy?.trim()) plain.promisedFollowUpBy = body.promisedFollowUpBy.trim();
  if (body.notes?.trim()) plain.notes = body.notes;
  const answers: Record<string, unknown> = {};
  for (const q of ctx.scenario?.questions ?? []) {
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
  type?: 'text' | 'number' | 'date' | 'datetime-local';
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
  'courtesy:onlyWhenReached': 'Rate courtesy only when a person answered',
  'knowledge:requiredWhenReached': 'Rate the knowledge (1–5)',
  'knowledge:onlyWhenReached': 'Rate knowledge only when a person answered',
  'staffGaveName:onlyWhenReached': 'Only when a person answered',
  'answeredQuestion:onlyWhenReached': 'Only when a person replied',
  'optionsExplained:requiredWhenUnresolved': 'It was not resolved: were your options explained, or why not?',
  'optionsExplained:onlyWhenUnresolved': 'Leave this empty: it was resolved',
  'attemptedAt:notInFuture': 'This time is in the future',
  'attemptedAt:nearWindow': 'This is far from the test window: the contact must be made within it',
  'resolution:isIn': 'Was it resolved? Choose one',
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

function TextField(props: { state: FormState; name: string; o: FieldOptions } & InputExtras) {
  const { state, name, o, type = 'text', ...extra } = props;
  const attrs = {
    id: name,
    name,
    value: state.values[name] ?? '',
    'aria-describedby': describedBy(state, name, o.hint),
  };
  // one element per type: preact's types check each input type's own attributes
  const input =
    type === 'number' ? (
      <input type="number" {...attrs} {...extra} />
    ) : type === 'date' ? (
      <input type="date" {...attrs} {...extra} />
    ) : type === 'datetime-local' ? (
      <input type="datetime-local" {...attrs} {...extra} />
    ) : (
      <input type="text" {...attrs} {...extra} />
    );
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

function Choices(props: { state: FormState; name: string; o: FieldOptions; options: Array<[string, string]> }) {
  const { state, name, o, options } = props;
  return (
    <fieldset class={errorClass(state, name)} aria-describedby={describedBy(state, name, o.hint)}>
      <legend>{o.label}</legend>
      <Hint name={name} hint={o.hint} />
      <div class="choices">
        {options.map(([value, label]) => (
          <label for={`${name}-${value}`}>
            <input
              type="radio"
              id={`${name}-${value}`}
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

const YES_NO: Array<[string, string]> = [
  ['yes', 'Yes'],
  ['no', 'No'],
];
const SCALE: Array<[string, string]> = ['1', '2', '3', '4', '5'].map((v) => [v, v]);

function Question({ state, q }: { state: FormState; q: ScenarioQuestion }) {
  const name = `answers.${q.key}`;
  const o = { label: `${q.label}${q.required ? '' : ' (optional)'}` };
  if (q.type === 'yes_no') return <Choices state={state} name={name} o={o} options={YES_NO} />;
  if (q.type === 'rating') return <Choices state={state} name={name} o={o} options={SCALE} />;
  if (q.type === 'choice')
    return <Choices state={state} name={name} o={o} options={(q.options ?? []).map((x) => [x, x])} />;
  if (q.type === 'text') return <TextField state={state} name={name} o={o} />;
  if (q.type === 'seconds')
    return <TextField state={state} name={name} o={{ ...o, hint: 'minutes:seconds, e.g. 4:30' }} inputMode="numeric" />;
  return <TextField state={state} name={name} o={o} type="number" inputMode="decimal" />;
}

const WRITTEN: ChannelWording = {
  reached: { label: 'Did a person reply?', hint: 'Not only an automatic acknowledgement' },
  wait: {
    label: 'Time until the first reply from a person',
    hint: 'hours:minutes:seconds, e.g. 5:30:00 — leave empty if nobody replied',
  },
  onlyWhenReached: 'Only if a person replied',
};

/** How each channel words what every contact is asked: whether a person answered, and after how long. */
const WORDING: Record<Channel, ChannelWording> = {
  phone: {
    reached: { label: 'Did a person answer?', hint: 'Not only a menu or a bot' },
    wait: {
      label: 'Wait until a person answered',
      hint: 'minutes:seconds, e.g. 4:30 — leave empty if nobody answered',
    },
    onlyWhenReached: 'Only if a person answered',
  },
  chat: {
    reached: { label: 'Did a person join the chat?', hint: 'Not only a bot' },
    wait: { label: 'Wait until a person joined', hint: 'minutes:seconds, e.g. 4:30 — leave empty if nobody joined' },
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

const localTime = (d: Date, zone: string) =>
  DateTime.fromJSDate(d, { zone }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm');

export interface FormInfo {
  action: string;
  declineAction: string;
  editing: boolean;
  editableUntil?: Date;
  canDecline?: boolean;
  /** In the console: its form token on both forms, and the console's layout gives the page its heading. */
  csrf?: string;
  /** A contact made without a test: no window to keep to, nothing to decline; these fields ride along. */
  adHoc?: Record<string, string>;
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
            <strong>When:</strong> {windowText(ctx)}
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
        <p class="ok">Saved. You can change it until {localTime(info.editableUntil, ctx.zone)}.</p>
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
          o={{ label: 'When did you make the contact?', hint: `Your time (${ctx.zone})` }}
          type="datetime-local"
        />
        <Choices state={state} name="reachedHuman" o={wording.reached} options={YES_NO} />
        {asked('botFirst') ? (
          <Choices
            state={state}
            name="botFirst"
            o={{ label: 'Did a bot answer before any person?', hint: 'Leave empty if you could not tell' }}
            options={YES_NO}
          />
        ) : null}
        {asked('secondsToHuman') ? (
          <TextField state={state} name="secondsToHuman" o={wording.wait} inputMode="numeric" autoComplete="off" />
        ) : null}
        {asked('answeredQuestion') ? (
          <Choices
            state={state}
            name="answeredQuestion"
            o={{ label: 'Did the first reply answer your question?', hint: 'Only if a person replied' }}
            options={YES_NO}
          />
        ) : null}
        {asked('holdSeconds') ? (
          <TextField
            state={state}
            name="holdSeconds"
            o={{ label: 'Time on hold after that (optional)', hint: 'minutes:seconds' }}
            inputMode="numeric"
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
              hint: 'minutes:seconds, e.g. 12:00 — whether or not anyone served you in the end',
            }}
            inputMode="numeric"
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
            hint: 'Leave empty if it was resolved',
          }}
          options={YES_NO}
        />
        <Choices
          state={state}
          name="courtesy"
          o={{ label: 'Courtesy (1 poor – 5 excellent)', hint: wording.onlyWhenReached }}
          options={SCALE}
        />
        <Choices
          state={state}
          name="knowledge"
          o={{ label: 'Knowledge (1 poor – 5 excellent)', hint: wording.onlyWhenReached }}
          options={SCALE}
        />
        <Choices
          state={state}
          name="staffGaveName"
          o={{
            label: 'Did the staff member give a name?',
            hint: 'Only whether they did — never write the name down',
          }}
          options={YES_NO}
        />
        <TextField
          state={state}
          name="promisedFollowUpBy"
          o={{
            label: 'Were you promised a callback or email? By when (optional)',
            hint: 'We will ask you the day after whether it came',
          }}
          type="date"
        />
        {(ctx.scenario?.questions ?? []).map((q) => (
          <Question state={state} q={q} />
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
          You can change it for 48 hours after the first save, until {localTime(editableUntil, ctx.zone)} ({ctx.zone}
          ): <a href={editUrl}>change what you recorded</a>.
        </p>
      </>,
    ),
  );
}
