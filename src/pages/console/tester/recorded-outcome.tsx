import { formatDuration } from '../../../common/durations.js';
import { DEFAULT_LOCALE, longDate, longDateTime } from '../../../common/locale.js';
import type { Outcome } from '../../../outcomes/outcome.entity.js';
import { asks, type ChannelField } from '../../../touchpoints/channel-fields.js';
import type { FormContext } from '../../outcome-form.js';

const yesNo = (b: boolean | null) => (b === null ? '—' : b ? 'Yes' : 'No');
const duration = (s: number | null) => (s === null ? '—' : formatDuration(s));
const RESOLUTION: Record<string, string> = { resolved: 'Resolved', partial: 'Partly', unresolved: 'Not resolved' };

/** What the tester recorded, read-only (the edit window has passed), in the form's words. */
export function RecordedOutcome(props: { form: FormContext; outcome: Outcome }) {
  const { form, outcome: o } = props;
  const locale = form.locale ?? DEFAULT_LOCALE;
  const answers = (form.scenario?.questions ?? []).filter((q) => o.answers[q.key] !== undefined);
  // what the channel asked, no more (see channel-fields.ts)
  const ownFacts: Array<[ChannelField, [string, string]]> = [
    ['botFirst', ['A bot answered first', yesNo(o.botFirst)]],
    ['secondsToHuman', ['Wait until a person answered', duration(o.secondsToHuman)]],
    ['answeredQuestion', ['The first reply answered the question', yesNo(o.answeredQuestion)]],
    ['holdSeconds', ['Time on hold after that', duration(o.holdSeconds)]],
    ['queueSeconds', ['Time queuing', duration(o.queueSeconds)]],
    [
      'queueSystemWorked',
      ['Ticket or queue system worked', o.queueSystemWorked === null ? 'There was none' : yesNo(o.queueSystemWorked)],
    ],
    ['staffFree', ['Staff free when you arrived', yesNo(o.staffFree)]],
    ['transfers', ['Transfers', String(o.transfers)]],
    ['disconnects', ['Line or chat dropped', String(o.disconnects)]],
  ];
  const rows: Array<[string, string]> = [
    ['When you made the contact', longDateTime(o.attemptedAt, form.zone, locale)],
    ['Did a person answer?', yesNo(o.reachedHuman)],
    ...ownFacts.filter(([field]) => asks(form.touchpoint.channel, field)).map(([, row]) => row),
    ['Told the story again', yesNo(o.repeatedStory)],
    ['Resolved', RESOLUTION[o.resolution] ?? o.resolution],
    ['Options explained', yesNo(o.optionsExplained)],
    ['Courtesy (1–5)', o.courtesy === null ? '—' : String(o.courtesy)],
    ['Knowledge (1–5)', o.knowledge === null ? '—' : String(o.knowledge)],
    ['Staff gave a name', yesNo(o.staffGaveName)],
    ['Callback or email promised by', o.promisedFollowUpBy ? longDate(o.promisedFollowUpBy, locale) : '—'],
    ...answers.map((q): [string, string] => {
      const v = o.answers[q.key];
      return [q.label, typeof v === 'boolean' ? yesNo(v) : String(v)];
    }),
    ['Notes', o.notes ?? '—'],
  ];
  return (
    <section aria-labelledby="recorded">
      <h2 id="recorded">What you recorded</h2>
      <dl class="recorded">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
