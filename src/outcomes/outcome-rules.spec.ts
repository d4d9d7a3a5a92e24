import fc from 'fast-check';

import type { FieldError } from '../common/validation/validation-errors.js';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import {
  ALL_CHANNELS,
  asks,
  CHANNEL_FIELD_NAMES,
  CHANNEL_FIELDS,
  channelList,
  channelsAsking,
} from '../touchpoints/channel-fields.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { AD_HOC_MAX_AGE, AFTER_WINDOW, BEFORE_WINDOW, outcomeRules, type OutcomeContext } from './outcome-rules.js';
import type { OutcomeDto } from './outcome.dto.js';

/** The rules beyond each field's own type: what a quality analyst would refuse to count (README, "Outcomes"). */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-24T15:00:00Z');
const WINDOW = {
  start: new Date('2026-11-24T14:00:00Z'),
  end: new Date('2026-11-24T15:00:00Z'),
  zone: 'Europe/London',
};
const iso = (ms: number) => new Date(ms).toISOString();

/** A complete, consistent record of a call that a person answered and resolved during its window. */
const answered = (over: Partial<OutcomeDto> = {}): OutcomeDto => ({
  attemptedAt: '2026-11-24T14:20:00Z',
  reachedHuman: true,
  secondsToHuman: 95,
  courtesy: 4,
  knowledge: 3,
  resolution: 'resolved',
  ...over,
});
/** Nobody answered; the matter stayed open and the menu said what else to try. */
const unanswered = (over: Partial<OutcomeDto> = {}): OutcomeDto => ({
  attemptedAt: '2026-11-24T14:20:00Z',
  reachedHuman: false,
  resolution: 'unresolved',
  optionsExplained: true,
  ...over,
});
const planned = (over: Partial<OutcomeContext> = {}): OutcomeContext => ({
  now: new Date(NOW),
  window: WINDOW,
  questions: [],
  channel: 'phone',
  ...over,
});
const adHoc = (over: Partial<OutcomeContext> = {}): OutcomeContext => ({
  now: new Date(NOW),
  questions: [],
  channel: 'phone',
  ...over,
});
const rules = (errors: FieldError[]) => errors.map((e) => `${e.field}:${e.rule}`);

describe('outcome rules: who answered', () => {
  it('accept a complete record, answered or not', () => {
    expect(outcomeRules(answered(), planned())).toEqual([]);
    expect(outcomeRules(unanswered(), planned())).toEqual([]);
    expect(outcomeRules(answered({ secondsToHuman: 0, staffGaveName: false }), planned())).toEqual([]); // 0 s is a wait
  });

  it('need the wait and both ratings when a person answered, whether left out or sent as null', () => {
    const missing = { secondsToHuman: undefined, courtesy: undefined, knowledge: undefined };
    const expected = [
      'secondsToHuman:requiredWhenReached',
      'courtesy:requiredWhenReached',
      'knowledge:requiredWhenReached',
    ];
    expect(rules(outcomeRules(answered(missing), planned()))).toEqual(expected);
    expect(rules(outcomeRules(answered({ secondsToHuman: null, courtesy: null, knowledge: null }), planned()))).toEqual(
      expected,
    );
    expect(rules(outcomeRules(answered({ courtesy: null }), planned()))).toEqual(['courtesy:requiredWhenReached']);
  });

  it('refuse a wait, ratings or a named member of staff when nobody answered', () => {
    const claimed = { secondsToHuman: 30, courtesy: 5, knowledge: 1, staffGaveName: false };
    expect(rules(outcomeRules(unanswered(claimed), planned()))).toEqual([
      'secondsToHuman:onlyWhenReached',
      'courtesy:onlyWhenReached',
      'knowledge:onlyWhenReached',
      'staffGaveName:onlyWhenReached',
    ]);
    expect(rules(outcomeRules(unanswered({ secondsToHuman: 0 }), planned()))).toEqual([
      'secondsToHuman:onlyWhenReached',
    ]);
    const nulls = { secondsToHuman: null, courtesy: null, knowledge: null, staffGaveName: null };
    expect(outcomeRules(unanswered(nulls), planned())).toEqual([]); // null is "not given"
  });
});

describe('outcome rules: resolution', () => {
  it('ask whether options were explained only when the matter was not resolved', () => {
    expect(rules(outcomeRules(answered({ optionsExplained: false }), planned()))).toEqual([
      'optionsExplained:onlyWhenUnresolved',
    ]);
    expect(outcomeRules(answered({ optionsExplained: null }), planned())).toEqual([]);
    for (const resolution of ['partial', 'unresolved'] as const) {
      expect(outcomeRules(answered({ resolution, optionsExplained: false }), planned())).toEqual([]);
      for (const optionsExplained of [undefined, null]) {
        expect(rules(outcomeRules(answered({ resolution, optionsExplained }), planned()))).toEqual([
          'optionsExplained:requiredWhenUnresolved',
        ]);
      }
    }
  });

  it('let only a matter not resolved continue as a case', () => {
    expect(rules(outcomeRules(answered({ caseContinues: true }), planned()))).toEqual([
      'caseContinues:onlyWhenUnresolved',
    ]);
    expect(outcomeRules(answered({ caseContinues: false }), planned())).toEqual([]);
    const open = { resolution: 'partial' as const, optionsExplained: false, caseContinues: true };
    expect(outcomeRules(answered(open), planned())).toEqual([]);
  });

  it('leave a missing resolution to the field validator (no cross-field error on top)', () => {
    expect(outcomeRules(answered({ resolution: undefined as unknown as 'resolved' }), planned())).toEqual([]);
  });
});

describe('outcome rules: when the contact was made', () => {
  it('allow five minutes of clock skew, no more, before calling a time "in the future"', () => {
    const at = (ms: number) => rules(outcomeRules(unanswered({ attemptedAt: iso(ms) }), adHoc()));
    expect(at(NOW)).toEqual([]);
    expect(at(NOW + 5 * MINUTE)).toEqual([]);
    expect(at(NOW + 5 * MINUTE + 1000)).toEqual(['attemptedAt:notInFuture']);
    // a future time near its window is reported once, as future
    const soon = iso(WINDOW.end.getTime() + 3 * HOUR); // also far from the window
    expect(rules(outcomeRules(unanswered({ attemptedAt: soon }), planned({ now: WINDOW.start })))).toEqual([
      'attemptedAt:notInFuture',
    ]);
  });

  it('count a test contact made from an hour before its window to two hours after it', () => {
    const now = new Date(WINDOW.end.getTime() + DAY);
    const at = (ms: number) => rules(outcomeRules(unanswered({ attemptedAt: iso(ms) }), planned({ now })));
    const start = WINDOW.start.getTime();
    const end = WINDOW.end.getTime();
    expect([BEFORE_WINDOW, AFTER_WINDOW]).toEqual([HOUR, 2 * HOUR]);
    expect(at(start - HOUR)).toEqual([]);
    expect(at(start - HOUR - 1000)).toEqual(['attemptedAt:nearWindow']);
    expect(at(end + 2 * HOUR)).toEqual([]);
    expect(at(end + 2 * HOUR + 1000)).toEqual(['attemptedAt:nearWindow']);
    expect(at(start - DAY)).toEqual(['attemptedAt:nearWindow']);
  });

  it('take a test recorded late if it was made near its window; only ad-hoc contacts must be recent', () => {
    const now = new Date(WINDOW.end.getTime() + 30 * DAY);
    expect(outcomeRules(unanswered(), planned({ now }))).toEqual([]);
    expect(rules(outcomeRules(unanswered(), adHoc({ now })))).toEqual(['attemptedAt:recent']);
  });

  it('take an ad-hoc contact made within the last seven days', () => {
    expect(AD_HOC_MAX_AGE).toBe(7 * DAY);
    const at = (ms: number) => rules(outcomeRules(unanswered({ attemptedAt: iso(ms) }), adHoc()));
    expect(at(NOW - 7 * DAY)).toEqual([]);
    expect(at(NOW - 7 * DAY - 1000)).toEqual(['attemptedAt:recent']);
    expect(at(NOW - 3 * DAY)).toEqual([]); // an ad-hoc contact has no window to be near
  });
});

describe('outcome rules: a promised follow-up', () => {
  // The promise is a date in the tester's zone, read as its last second in UTC; a day's slack each way keeps every
  // zone's "the same day" and "in 90 days" inside the rule.
  const contact = '2026-11-24T14:20:00Z';
  const promised = (promisedFollowUpBy: string, attemptedAt = contact) =>
    rules(outcomeRules(unanswered({ attemptedAt, promisedFollowUpBy }), adHoc()));

  it('may fall on the day of the contact, or the calendar day before it in a zone behind UTC', () => {
    expect(promised('2026-11-24')).toEqual([]);
    expect(promised('2026-11-23')).toEqual([]);
    expect(promised('2026-11-22')).toEqual(['promisedFollowUpBy:afterAttempt']);
    // the slack is a day to the second: a promise whose last second is exactly a day before the contact still counts
    expect(promised('2026-11-20', '2026-11-21T23:59:59Z')).toEqual([]);
    expect(promised('2026-11-20', '2026-11-22T00:00:00Z')).toEqual(['promisedFollowUpBy:afterAttempt']);
  });

  it('must fall within 90 days of the contact (92 with the zones’ slack, to the second)', () => {
    expect(promised('2027-02-22')).toEqual([]); // 90 days after 24 November
    expect(promised('2027-02-23')).toEqual([]);
    expect(promised('2027-02-24')).toEqual(['promisedFollowUpBy:within90Days']);
    expect(promised('2027-06-01')).toEqual(['promisedFollowUpBy:within90Days']);
    const lastSecond = '2026-11-17T23:59:59Z'; // a week ago, so still a recent ad-hoc contact
    expect(promised('2027-02-17', lastSecond)).toEqual([]); // exactly 92 days later
    expect(promised('2027-02-18', lastSecond)).toEqual(['promisedFollowUpBy:within90Days']);
  });

  it('is not judged against a contact time the field validator already refuses', () => {
    expect(promised('2020-01-01', 'not a time')).toEqual([]);
    expect(promised('2026-11-24', '2026-11-24T14:20:00Z')).toEqual([]);
    expect(rules(outcomeRules(unanswered({ promisedFollowUpBy: null }), adHoc()))).toEqual([]);
  });
});

describe("outcome rules: the scenario's own questions", () => {
  const question = (type: ScenarioQuestion['type'], over: Partial<ScenarioQuestion> = {}): ScenarioQuestion => ({
    key: 'q',
    label: 'Did they offer another way?',
    type,
    required: false,
    ...over,
  });
  const answer = (q: ScenarioQuestion, value: unknown) =>
    outcomeRules(unanswered({ answers: { [q.key]: value } as OutcomeDto['answers'] }), planned({ questions: [q] }));
  const accepts = (q: ScenarioQuestion, value: unknown) => answer(q, value).length === 0;

  it.each([
    ['yes_no', [true, false], ['yes', 1, 0]],
    ['number', [0, -3.5, 1e9, -1e9, 42], [1e9 + 1, -1e9 - 1, '5', Infinity, Number.NaN, true]],
    ['seconds', [0, 95, 86_400, 1_209_600], [-1, 1_209_601, 1.5, '10', true]],
    ['rating', [1, 3, 5], [0, 6, 2.5, '4', true]],
    ['text', ['', 'x'.repeat(2000), 'Said to call back'], ['x'.repeat(2001), 12, true, ['Said to call back']]],
  ] as const)('a %s answer: takes what fits the type, refuses the rest', (type, good, bad) => {
    const q = question(type);
    for (const v of good) expect(accepts(q, v)).toBe(true);
    for (const v of bad) expect(rules(answer(q, v))).toEqual([`answers.q:is_${type}`]);
  });

  it('a choice must be one of its options', () => {
    const q = question('choice', { options: ['calm', 'rushed'] });
    expect(accepts(q, 'calm')).toBe(true);
    expect(accepts(q, 'rushed')).toBe(true);
    for (const v of ['angry', 'Calm', 1, true]) expect(rules(answer(q, v))).toEqual(['answers.q:is_choice']);
    expect(rules(answer(question('choice'), 'calm'))).toEqual(['answers.q:is_choice']); // no options, nothing fits
  });

  it('say in words what each kind of answer must be, under the question’s own label', () => {
    const said = (q: ScenarioQuestion, value: unknown) => answer(q, value)[0].message;
    const label = 'Did they offer another way? — the answer must be';
    expect(said(question('yes_no'), 'yes')).toBe(`${label} yes or no (true or false)`);
    expect(said(question('number'), 'x')).toBe(`${label} a number`);
    expect(said(question('seconds'), -1)).toBe(`${label} a whole number of seconds from 0 to 1209600 (14 days)`);
    expect(said(question('rating'), 9)).toBe(`${label} a whole number from 1 to 5`);
    expect(said(question('choice', { options: ['calm', 'rushed'] }), 'x')).toBe(`${label} one of: calm, rushed`);
    expect(said(question('choice'), 'x')).toBe(`${label} one of: `);
    expect(said(question('text'), 5)).toBe(`${label} text of at most 2000 characters`);
  });

  it('require an answer to a required question (empty text or null is no answer), and nothing else', () => {
    const required = question('text', { required: true });
    for (const v of [undefined, null, '']) {
      const errors = answer(required, v);
      expect(rules(errors)).toEqual(['answers.q:required']);
      expect(errors[0].message).toBe('Did they offer another way? — an answer is required');
    }
    expect(rules(outcomeRules(unanswered(), planned({ questions: [required] })))).toEqual(['answers.q:required']);
    // an optional question may be skipped
    for (const v of [undefined, null, '']) expect(answer(question('rating'), v)).toEqual([]);
  });

  it('refuse answers to questions the scenario does not ask', () => {
    const errors = outcomeRules(unanswered({ answers: { mood: 'calm' } }), planned({ questions: [question('text')] }));
    expect(rules(errors)).toEqual(['answers.mood:unknownField']);
    expect(errors[0].message).toBe('answers.mood is not a question of this scenario');
    expect(rules(outcomeRules(unanswered({ answers: { q: true } }), planned()))).toEqual(['answers.q:unknownField']);
  });

  it('ask a question limited to channels only there: refused from another, naming it; not required there', () => {
    const ticket = question('yes_no', {
      key: 'ticket',
      label: 'Did you get a ticket?',
      required: true,
      channels: ['in_person'],
    });
    const everywhere = question('yes_no', { key: 'q' });
    const ctx = (channel: OutcomeContext['channel']) => planned({ questions: [ticket, everywhere], channel });
    const call = outcomeRules(unanswered({ answers: { ticket: true, q: false } }), ctx('phone'));
    expect(rules(call)).toEqual(['answers.ticket:notForChannel']);
    expect(call[0].message).toBe(
      'answers.ticket (Did you get a ticket?) is not asked of a phone call (channel phone); ' +
        'the scenario asks it only for in_person',
    );
    // unasked on the phone, so not required there; left empty, it says nothing
    expect(outcomeRules(unanswered({ answers: { q: true } }), ctx('phone'))).toEqual([]);
    expect(
      outcomeRules(
        unanswered({ answers: { ticket: null, q: true } as unknown as OutcomeDto['answers'] }),
        ctx('phone'),
      ),
    ).toEqual([]);
    // where it is asked, it is answered and required as any question
    expect(outcomeRules(unanswered({ answers: { ticket: false } }), ctx('in_person'))).toEqual([]);
    expect(rules(outcomeRules(unanswered(), ctx('in_person')))).toEqual(['answers.ticket:required']);
  });
});

describe('outcome rules: each channel asks its own', () => {
  const phoneCall = answered({ holdSeconds: 240, transfers: 2, disconnects: 1, repeatedStory: true });
  const onChannel = (channel: Channel, o: OutcomeDto) => rules(outcomeRules(o, planned({ channel })));

  it('know which fields each channel asks', () => {
    expect(CHANNEL_FIELDS).toEqual({
      phone: ['secondsToHuman', 'holdSeconds', 'transfers', 'disconnects'],
      chat: ['botFirst', 'secondsToHuman', 'holdSeconds', 'transfers', 'disconnects'],
      email: ['secondsToHuman', 'answeredQuestion'],
      web_form: ['secondsToHuman', 'answeredQuestion'],
      social: ['secondsToHuman', 'answeredQuestion'],
      in_person: ['queueSeconds', 'queueSystemWorked', 'staffFree', 'transfers'],
    });
    expect(ALL_CHANNELS).toEqual(['phone', 'chat', 'email', 'web_form', 'social', 'in_person']);
    expect(CHANNEL_FIELD_NAMES).toEqual([
      'secondsToHuman',
      'holdSeconds',
      'transfers',
      'disconnects',
      'botFirst',
      'answeredQuestion',
      'queueSeconds',
      'queueSystemWorked',
      'staffFree',
    ]);
    expect(asks('chat', 'botFirst')).toBe(true);
    expect(asks('phone', 'botFirst')).toBe(false);
    expect(channelsAsking('transfers')).toEqual(['phone', 'chat', 'in_person']);
    expect(channelsAsking('disconnects')).toEqual(['phone', 'chat']);
    expect(channelsAsking('queueSeconds')).toEqual(['in_person']);
  });

  it("accept a complete record of each channel's own fields", () => {
    expect(onChannel('phone', phoneCall)).toEqual([]);
    expect(onChannel('chat', { ...phoneCall, botFirst: true })).toEqual([]);
    for (const channel of ['email', 'web_form', 'social'] as const) {
      expect(onChannel(channel, answered({ secondsToHuman: 26 * 3600, answeredQuestion: false }))).toEqual([]);
    }
    const visit = { queueSeconds: 2400, queueSystemWorked: false, staffFree: false, transfers: 1 };
    // a store asks no wait "until a person answered": the queue is its wait, kept whether or not anyone served
    expect(onChannel('in_person', answered({ secondsToHuman: undefined, ...visit }))).toEqual([]);
    expect(onChannel('in_person', unanswered(visit))).toEqual([]);
    expect(onChannel('in_person', unanswered({ queueSystemWorked: null, staffFree: null }))).toEqual([]);
  });

  it('refuse a field the channel does not ask, naming the field, the channel and the channels that ask it', () => {
    const said = (channel: Channel, o: OutcomeDto) => outcomeRules(o, planned({ channel })).map((e) => e.message);
    expect(said('in_person', unanswered({ disconnects: 2 }))).toEqual([
      'disconnects is not asked of an in-person visit (channel in_person); it is asked only for phone and chat',
    ]);
    expect(said('email', answered({ holdSeconds: 60 }))).toEqual([
      'holdSeconds is not asked of an email (channel email); it is asked only for phone and chat',
    ]);
    expect(said('phone', answered({ answeredQuestion: true }))).toEqual([
      'answeredQuestion is not asked of a phone call (channel phone); it is asked only for email, web_form and social',
    ]);
    expect(said('web_form', answered({ botFirst: false }))).toEqual([
      'botFirst is not asked of a web form (channel web_form); it is asked only for chat',
    ]);
    expect(said('social', answered({ queueSeconds: 30 }))).toEqual([
      'queueSeconds is not asked of a social media message (channel social); it is asked only for in_person',
    ]);
    expect(said('chat', answered({ staffFree: true, queueSystemWorked: true }))).toEqual([
      'queueSystemWorked is not asked of a chat (channel chat); it is asked only for in_person',
      'staffFree is not asked of a chat (channel chat); it is asked only for in_person',
    ]);
    // the wait of a store visit is its queue: a wait "until a person answered" is refused once, as not asked
    expect(onChannel('in_person', answered())).toEqual(['secondsToHuman:notForChannel']);
    expect(onChannel('in_person', unanswered({ secondsToHuman: 60 }))).toEqual(['secondsToHuman:notForChannel']);
  });

  it('let a count of none, or an empty field, pass on any channel', () => {
    const none = { transfers: 0, disconnects: 0, holdSeconds: null, botFirst: null, queueSeconds: null };
    for (const channel of ALL_CHANNELS) {
      const o = channel === 'in_person' ? unanswered(none) : answered({ ...none, answeredQuestion: null });
      expect(onChannel(channel, o)).toEqual([]);
    }
    expect(onChannel('email', answered({ transfers: 1 }))).toEqual(['transfers:notForChannel']);
    expect(onChannel('email', answered({ botFirst: false }))).toEqual(['botFirst:notForChannel']);
  });

  it('ask whether the reply answered the question only when a person replied', () => {
    expect(onChannel('email', unanswered({ answeredQuestion: false }))).toEqual(['answeredQuestion:onlyWhenReached']);
    expect(onChannel('email', unanswered({ answeredQuestion: null }))).toEqual([]);
    // on a channel that does not ask it at all, said once
    expect(onChannel('phone', unanswered({ answeredQuestion: true }))).toEqual(['answeredQuestion:notForChannel']);
  });

  it('name channels in a list as a sentence would', () => {
    expect(channelList([])).toBe('');
    expect(channelList(['chat'])).toBe('chat');
    expect(channelList(['phone', 'chat'])).toBe('phone and chat');
    expect(channelList(['email', 'web_form', 'social'])).toBe('email, web_form and social');
  });
});

describe('outcome rules, on any record', () => {
  const questions: ScenarioQuestion[] = [
    { key: 'offered', label: 'Offered another way', type: 'yes_no', required: true },
    { key: 'mood', label: 'Mood', type: 'choice', required: false, options: ['calm', 'rushed'] },
  ];
  const nullable = <T>(arb: fc.Arbitrary<T>) =>
    fc.option(arb, { nil: undefined }).chain((v) => fc.constantFrom(v, null));
  const record = fc.record({
    attemptedAt: fc.integer({ min: NOW - 10 * DAY, max: NOW + HOUR }).map(iso),
    reachedHuman: fc.boolean(),
    secondsToHuman: nullable(fc.integer({ min: 0, max: 86_400 })),
    courtesy: nullable(fc.integer({ min: 1, max: 5 })),
    knowledge: nullable(fc.integer({ min: 1, max: 5 })),
    staffGaveName: nullable(fc.boolean()),
    holdSeconds: nullable(fc.integer({ min: 0, max: 600 })),
    transfers: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    disconnects: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    botFirst: nullable(fc.boolean()),
    answeredQuestion: nullable(fc.boolean()),
    queueSeconds: nullable(fc.integer({ min: 0, max: 3600 })),
    queueSystemWorked: nullable(fc.boolean()),
    staffFree: nullable(fc.boolean()),
    resolution: fc.constantFrom<OutcomeDto['resolution'][]>('resolved', 'partial', 'unresolved'),
    optionsExplained: nullable(fc.boolean()),
    promisedFollowUpBy: nullable(
      fc.integer({ min: 0, max: 200 }).map((d) => iso(NOW - 20 * DAY + d * DAY).slice(0, 10)),
    ),
    answers: fc.dictionary(
      fc.constantFrom('offered', 'mood', 'other'),
      fc.oneof(fc.boolean(), fc.string(), fc.integer()),
    ),
  });

  it('report every broken rule at once, each naming its field in words a tester can act on', () => {
    fc.assert(
      fc.property(record, fc.boolean(), fc.constantFrom(...ALL_CHANNELS), (o, withWindow, channel) => {
        const ctx = { questions, channel };
        const errors = outcomeRules(o, withWindow ? planned(ctx) : adHoc(ctx));
        expect(new Set(rules(errors)).size).toBe(errors.length); // one error per field and rule
        for (const e of errors) {
          const question = questions.find((q) => e.field === `answers.${q.key}`);
          expect(e.message).toContain(question ? question.label : e.field);
        }
        // a person answering is exactly what decides which of these fields must be there
        const human = errors.filter((e) => /When(Reached)$/.test(e.rule)).map((e) => e.rule);
        expect(human.every((r) => r === (o.reachedHuman ? 'requiredWhenReached' : 'onlyWhenReached'))).toBe(true);
        // exactly the fields with something in them that the channel does not ask are refused for it
        const given = CHANNEL_FIELD_NAMES.filter(
          (f) => !asks(channel, f) && !([undefined, null, 0] as unknown[]).includes(o[f]),
        );
        const refused = errors.filter((e) => e.rule === 'notForChannel');
        expect(refused.map((e) => e.field)).toEqual(given);
        for (const e of refused) expect(e.message).toContain(`(channel ${channel})`);
      }),
    );
  });
});
