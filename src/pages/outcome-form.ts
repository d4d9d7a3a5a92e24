import { DateTime } from 'luxon';
import { howToReach } from '../assignments/assignment-mails.js';
import { escapeHtml } from '../common/html.js';
import { page } from '../common/page-shell.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import type { Outcome } from '../outcomes/outcome.entity.js';

/** What the page shows about the test (never more than the tester's own assignment). */
export interface FormContext {
  touchpoint: { name: string; channel: string; contact: string };
  scenario: { title: string; brief: string; questions: ScenarioQuestion[] } | null;
  window: { start: Date; end: Date };
  zone: string;
  testerName: string;
}

export type FormValues = Record<string, string>;

const e = escapeHtml;

function windowText(ctx: FormContext): string {
  const s = DateTime.fromJSDate(ctx.window.start, { zone: ctx.zone }).setLocale('en-GB');
  const end = DateTime.fromJSDate(ctx.window.end, { zone: ctx.zone }).setLocale('en-GB');
  return `${s.toFormat('cccc d LLLL, HH:mm')}–${end.toFormat('HH:mm')} (${ctx.zone})`;
}

/** Seconds as m:ss, the way people read a wait. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The form's values for a saved outcome, or for a new one (attempted at the window's start, or now if within it). */
export function initialValues(ctx: FormContext, outcome: Outcome | null, now: Date): FormValues {
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: ctx.zone }).toFormat("yyyy-MM-dd'T'HH:mm");
  const yesNo = (b: boolean | null | undefined) => (b === null || b === undefined ? '' : b ? 'yes' : 'no');
  if (!outcome) {
    const inWindow = now >= ctx.window.start && now <= ctx.window.end;
    return { attemptedAt: local(inWindow ? now : ctx.window.start), transfers: '0', disconnects: '0' };
  }
  const values: FormValues = {
    attemptedAt: local(outcome.attemptedAt),
    reachedHuman: yesNo(outcome.reachedHuman),
    secondsToHuman: formatDuration(outcome.secondsToHuman),
    holdSeconds: formatDuration(outcome.holdSeconds),
    transfers: String(outcome.transfers),
    disconnects: String(outcome.disconnects),
    repeatedStory: yesNo(outcome.repeatedStory),
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
  const m = /^(\d{1,4}):([0-5]\d)$/.exec(v) ?? /^()(\d{1,6})$/.exec(v);
  if (!m) {
    errors.push({ field, rule: 'format', message: 'Write the time as minutes:seconds (4:30) or as seconds (270)' });
    return null;
  }
  return Number(m[1] || 0) * 60 + Number(m[2]);
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
  const wait = parseDuration('secondsToHuman', body.secondsToHuman, errors);
  if (wait !== null) plain.secondsToHuman = wait;
  const hold = parseDuration('holdSeconds', body.holdSeconds, errors);
  if (hold !== null) plain.holdSeconds = hold;
  plain.transfers = parseInteger('transfers', body.transfers, errors, 0);
  plain.disconnects = parseInteger('disconnects', body.disconnects, errors, 0);
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

/** The API's messages name fields; on the form, the same rules speak to the person filling it in. */
const FORM_MESSAGES: Record<string, string> = {
  'secondsToHuman:onlyWhenReached': 'Leave the wait empty when nobody answered',
  'secondsToHuman:requiredWhenReached': 'How long until a person answered? (e.g. 4:30)',
  'courtesy:requiredWhenReached': 'Rate the courtesy (1–5)',
  'courtesy:onlyWhenReached': 'Rate courtesy only when a person answered',
  'knowledge:requiredWhenReached': 'Rate the knowledge (1–5)',
  'knowledge:onlyWhenReached': 'Rate knowledge only when a person answered',
  'staffGaveName:onlyWhenReached': 'Only when a person answered',
  'optionsExplained:requiredWhenUnresolved': 'It was not resolved: were your options explained, or why not?',
  'optionsExplained:onlyWhenUnresolved': 'Leave this empty: it was resolved',
  'attemptedAt:notInFuture': 'This time is in the future',
  'attemptedAt:nearWindow': 'This is far from the test window: the contact must be made within it',
  'resolution:isIn': 'Was it resolved? Choose one',
};

/** The outcome form, with each error next to its field and the values as entered. */
export function formPage(
  ctx: FormContext,
  values: FormValues,
  errors: FieldError[],
  info: { action: string; declineAction: string; editing: boolean; editableUntil?: Date; canDecline?: boolean },
): string {
  const byField = new Map<string, string>();
  for (const err of errors)
    if (!byField.has(err.field)) byField.set(err.field, FORM_MESSAGES[`${err.field}:${err.rule}`] ?? err.message);
  const errorFor = (name: string) =>
    byField.has(name) ? `<p class="error" id="${e(name)}-error">${e(byField.get(name)!)}</p>` : '';
  const described = (name: string, hint?: string) => {
    const ids = [hint ? `${name}-hint` : '', byField.has(name) ? `${name}-error` : ''].filter(Boolean).join(' ');
    return ids ? ` aria-describedby="${e(ids)}"` : '';
  };
  const hintFor = (name: string, hint?: string) => (hint ? `<p class="hint" id="${e(name)}-hint">${e(hint)}</p>` : '');
  const cls = (name: string) => (byField.has(name) ? ' class="has-error"' : '');

  const text = (name: string, o: FieldOptions, type = 'text', extra = '') =>
    `<div${cls(name)}><label class="block" for="${e(name)}">${e(o.label)}</label>${hintFor(name, o.hint)}
<input type="${type}" id="${e(name)}" name="${e(name)}" value="${e(values[name] ?? '')}"${described(name, o.hint)}${extra}>${errorFor(name)}</div>`;
  const choices = (name: string, o: FieldOptions, options: Array<[string, string]>) =>
    `<fieldset${cls(name)}${described(name, o.hint)}><legend>${e(o.label)}</legend>${hintFor(name, o.hint)}<div class="choices">${options
      .map(
        ([value, label]) =>
          `<label for="${e(`${name}-${value}`)}"><input type="radio" id="${e(`${name}-${value}`)}" name="${e(name)}" value="${e(value)}"${values[name] === value ? ' checked' : ''}> ${e(label)}</label>`,
      )
      .join('')}</div>${errorFor(name)}</fieldset>`;
  const yesNo = (name: string, o: FieldOptions) =>
    choices(name, o, [
      ['yes', 'Yes'],
      ['no', 'No'],
    ]);
  const scale = (name: string, o: FieldOptions) =>
    choices(
      name,
      o,
      ['1', '2', '3', '4', '5'].map((v) => [v, v]),
    );

  const questions = (ctx.scenario?.questions ?? [])
    .map((q) => {
      const name = `answers.${q.key}`;
      const label = { label: `${q.label}${q.required ? '' : ' (optional)'}` };
      if (q.type === 'yes_no') return yesNo(name, label);
      if (q.type === 'rating') return scale(name, label);
      if (q.type === 'choice')
        return choices(
          name,
          label,
          (q.options ?? []).map((o) => [o, o]),
        );
      if (q.type === 'text') return text(name, label);
      if (q.type === 'seconds')
        return text(name, { ...label, hint: 'minutes:seconds, e.g. 4:30' }, 'text', ' inputmode="numeric"');
      return text(name, label, 'number', ' inputmode="decimal"');
    })
    .join('\n');

  const summary = errors.length
    ? `<div class="summary" role="alert"><p><strong>Please check ${errors.length === 1 ? 'one answer' : `${errors.length} answers`}</strong> — the notes are next to each.</p></div>`
    : '';
  const how = howToReach(ctx.touchpoint);
  const editing =
    info.editing && info.editableUntil
      ? `<p class="ok">Saved. You can change it until ${e(DateTime.fromJSDate(info.editableUntil, { zone: ctx.zone }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm'))}.</p>`
      : '';
  return page(
    `Test contact: ${ctx.touchpoint.name}`,
    `<h1>Test contact: ${e(ctx.touchpoint.name)}</h1>
<section class="task">
<p><strong>When:</strong> ${e(windowText(ctx))}</p>
<p><strong>How:</strong> ${e(how)}</p>
<p><strong>Ask:</strong> ${e(ctx.scenario ? `${ctx.scenario.title}: ${ctx.scenario.brief}` : 'Make an ordinary enquiry, as any customer would.')}</p>
</section>
${editing}
<h2>What happened</h2>
${summary}
<form method="post" action="${e(info.action)}" novalidate>
${text('attemptedAt', { label: 'When did you make the contact?', hint: `Your time (${ctx.zone})` }, 'datetime-local')}
${yesNo('reachedHuman', { label: 'Did a person answer?', hint: 'Not only a menu or a bot' })}
${text('secondsToHuman', { label: 'Wait until a person answered', hint: 'minutes:seconds, e.g. 4:30 — leave empty if nobody answered' }, 'text', ' inputmode="numeric" autocomplete="off"')}
${text('holdSeconds', { label: 'Time on hold after that (optional)', hint: 'minutes:seconds' }, 'text', ' inputmode="numeric" autocomplete="off"')}
${text('transfers', { label: 'How many times were you transferred?' }, 'number', ' min="0" max="50" inputmode="numeric"')}
${text('disconnects', { label: 'How many times was the line or chat dropped?' }, 'number', ' min="0" max="50" inputmode="numeric"')}
${yesNo('repeatedStory', { label: 'Did you have to tell your story again?' })}
${choices('resolution', { label: 'Was your request resolved?' }, [
  ['resolved', 'Resolved'],
  ['partial', 'Partly'],
  ['unresolved', 'Not resolved'],
])}
${yesNo('optionsExplained', { label: 'If not resolved: were your options explained, or why not?', hint: 'Leave empty if it was resolved' })}
${scale('courtesy', { label: 'Courtesy (1 poor – 5 excellent)', hint: 'Only if a person answered' })}
${scale('knowledge', { label: 'Knowledge (1 poor – 5 excellent)', hint: 'Only if a person answered' })}
${yesNo('staffGaveName', { label: 'Did the staff member give a name?', hint: 'Only whether they did — never write the name down' })}
${text('promisedFollowUpBy', { label: 'Were you promised a callback or email? By when (optional)', hint: 'We will ask you the day after whether it came' }, 'date')}
${questions}
<div${cls('notes')}><label class="block" for="notes">Notes (optional)</label><p class="hint" id="notes-hint">What happened, in your words. Describe the system, not the person: no names.</p>
<textarea id="notes" name="notes" maxlength="4000"${described('notes', 'x')}>${e(values.notes ?? '')}</textarea>${errorFor('notes')}</div>
<button type="submit" name="action" value="save">Save</button>
</form>
${
  info.editing
    ? ''
    : info.canDecline === false
      ? '<p class="hint">The window has begun, so the test can no longer be declined. ' +
        'Record what happened; with nothing recorded, it is marked missed.</p>'
      : `<h2>Cannot make it?</h2>
<form method="post" action="${e(info.declineAction)}">
<label class="block" for="reason">Why not (for the quality team)</label>
<textarea id="reason" name="reason" maxlength="500" required></textarea>
<p></p><button type="submit" class="secondary">Decline this test</button>
</form>`
}`,
  );
}

export function savedPage(ctx: FormContext, editableUntil: Date, editUrl: string): string {
  const until = DateTime.fromJSDate(editableUntil, { zone: ctx.zone })
    .setLocale('en-GB')
    .toFormat('cccc d LLLL, HH:mm');
  return page(
    'Saved',
    `<h1>Thank you</h1>
<p class="ok">What happened at ${e(ctx.touchpoint.name)} is recorded.</p>
<p>You can change it for 48 hours after the first save, until ${e(until)} (${e(ctx.zone)}): <a href="${e(editUrl)}">change what you recorded</a>.</p>`,
  );
}
