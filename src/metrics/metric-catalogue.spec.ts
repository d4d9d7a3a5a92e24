import { fitsChannel, metricByKey, METRICS } from './metric-catalogue.js';

/** Which channels each metric is measured on: a store has no dropped lines, a phone call no queue. */
describe('the metric catalogue, by channel', () => {
  const fits = (key: string) => metricByKey(key)!.channels;
  const every = ['phone', 'chat', 'email', 'web_form', 'social', 'in_person'];

  it('says which channels each metric fits', () => {
    expect(Object.fromEntries(METRICS.map((m) => [m.key, m.channels.join(' ')]))).toEqual({
      answer_rate: every.join(' '),
      avg_seconds_to_human: 'phone chat email web_form social',
      median_seconds_to_human: 'phone chat email web_form social',
      p90_seconds_to_human: 'phone chat email web_form social',
      median_hold_seconds: 'phone chat',
      first_contact_resolution: every.join(' '),
      transfer_rate: 'phone chat in_person',
      disconnect_rate: 'phone chat',
      bot_first_rate: 'chat',
      answered_question_rate: 'email web_form social',
      median_queue_seconds: 'in_person',
      queue_system_worked_rate: 'in_person',
      staff_free_rate: 'in_person',
      repeat_story_rate: every.join(' '),
      options_explained_rate: every.join(' '),
      gave_name_rate: every.join(' '),
      courtesy_avg: every.join(' '),
      knowledge_avg: every.join(' '),
      promise_kept_rate: every.join(' '),
      resolved_within_3_days_rate: every.join(' '),
      resolved_within_7_days_rate: every.join(' '),
      contacts_to_resolution: every.join(' '),
      story_repeats_per_case: every.join(' '),
      case_promises_kept_rate: every.join(' '),
    });
    expect(fitsChannel(metricByKey('median_queue_seconds')!, 'in_person')).toBe(true);
    expect(fitsChannel(metricByKey('median_queue_seconds')!, 'phone')).toBe(false);
    expect(fits('answer_rate')).toHaveLength(6);
  });

  it('judges a case count as a mean bounded by the contacts a case may have', () => {
    expect(metricByKey('contacts_to_resolution')).toMatchObject({
      unit: 'count',
      kind: 'bounded_mean',
      min: 1,
      max: 20,
    });
    expect(metricByKey('story_repeats_per_case')).toMatchObject({
      unit: 'count',
      kind: 'bounded_mean',
      min: 0,
      max: 20,
    });
    expect(metricByKey('resolved_within_7_days_rate')).toMatchObject({ unit: 'rate', kind: 'rate', better: 'higher' });
  });

  it("gives a metric's value only on the channels it fits, so no aggregate pools the others", () => {
    expect(metricByKey('transfer_rate')!.column).toBe(
      "CASE WHEN o.channel IN ('phone', 'chat', 'in_person') THEN (o.transfers > 0)::int END",
    );
    expect(metricByKey('median_queue_seconds')!.column).toBe(
      "CASE WHEN o.channel IN ('in_person') THEN o.queue_seconds END",
    );
    expect(metricByKey('median_seconds_to_human')!.column).toBe(
      "CASE WHEN o.channel IN ('phone', 'chat', 'email', 'web_form', 'social') " +
        'THEN CASE WHEN o.reached_human THEN o.seconds_to_human END END',
    );
    expect(metricByKey('answer_rate')!.column).toBe('o.reached_human::int');
  });
});
