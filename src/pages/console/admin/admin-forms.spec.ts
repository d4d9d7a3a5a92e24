import { listOf } from '../forms.js';
import { rowsOf, timeZoneOptions } from './admin-fields.js';
import { planSummary } from './campaigns.controller.js';
import { personFormOf } from './people.controller.js';
import { questionRowsOf } from './scenarios.controller.js';
import { settingsPatchOf } from './settings.controller.js';
import { touchpointFormOf } from './touchpoints.controller.js';

describe('posted rows', () => {
  it('reads `list[i].key` fields in index order, drops blank rows and keys not asked for', () => {
    const fields = {
      'hours[10].day': 'tue',
      'hours[10].start': '10:00',
      'hours[2].day': 'mon',
      'hours[2].start': '09:00',
      'hours[3].day': '',
      'hours[3].start': ' ',
      'hours[4].evil': 'x',
      'other[0].day': 'sun',
    };
    expect(rowsOf(fields, 'hours', ['day', 'start'])).toEqual([
      { day: 'mon', start: '09:00' },
      { day: 'tue', start: '10:00' },
    ]);
  });

  it('takes a repeated field as a list, a single one as a list of one, anything else as none', () => {
    expect(listOf({ roles: ['a', 'b', 3] }, 'roles')).toEqual(['a', 'b']);
    expect(listOf({ roles: 'a' }, 'roles')).toEqual(['a']);
    expect(listOf({}, 'roles')).toEqual([]);
  });

  it('builds a person from the form: roles from checkboxes, leave without an empty reason', () => {
    const form = personFormOf({
      _csrf: 'x',
      name: 'Ada',
      email: 'ada@example.org',
      roles: ['tester', 'owner'],
      timezone: 'UTC',
      'workingHours[0].day': 'mon',
      'workingHours[0].start': '09:00',
      'workingHours[0].end': '17:00',
      'leave[0].from': '2027-01-01',
      'leave[0].to': '2027-01-02',
      'leave[0].reason': '',
    });
    expect(form).toEqual({
      name: 'Ada',
      email: 'ada@example.org',
      roles: ['tester', 'owner'],
      locale: null,
      timezone: 'UTC',
      workingHours: [{ day: 'mon', start: '09:00', end: '17:00' }],
      leave: [{ from: '2027-01-01', to: '2027-01-02' }],
    });
  });

  it("keeps a week grid's spans that have a time, though every row carries its day", () => {
    const form = touchpointFormOf({
      'openingHours[0].day': 'mon',
      'openingHours[0].open': '09:00',
      'openingHours[0].close': '17:00',
      'openingHours[1].day': 'mon',
      'openingHours[1].open': '',
      'openingHours[1].close': '',
      'openingHours[2].day': 'sun',
      'openingHours[2].open': '',
      'openingHours[2].close': '12:00',
    });
    expect(form.openingHours).toEqual([
      { day: 'mon', open: '09:00', close: '17:00' },
      { day: 'sun', open: '', close: '12:00' },
    ]);
  });

  it('removes ticked questions and reorders by number, ties and blanks keeping page order', () => {
    const q = (i: number, key: string, order: string, extra: Record<string, string> = {}) =>
      Object.fromEntries(
        Object.entries({ key, label: key, type: 'text', order, ...extra }).map(([k, v]) => [`questions[${i}].${k}`, v]),
      );
    const rows = questionRowsOf({
      ...q(0, 'a', '3'),
      ...q(1, 'b', '1', { remove: 'yes' }),
      ...q(2, 'c', '1'),
      ...q(3, 'd', ''),
      ...q(4, 'e', '3'),
      ...{ 'questions[5].order': '6', 'questions[5].type': 'text' },
    });
    expect(rows.map((r) => r.key)).toEqual(['c', 'a', 'e', 'd']);
  });
});

describe('settings form', () => {
  it('sends a blank gap as null (the default), a number as a number, and other text as typed', () => {
    const patch = settingsPatchOf({
      countAdHocInVerdicts: 'true',
      gaps: { answer_rate: '0.05' },
      targets: { transfer_rate: ' 0.2 ', answer_rate: '' },
    }) as {
      countAdHocInVerdicts: unknown;
      gapThatMatters: Record<string, unknown>;
      targets: Record<string, unknown>;
    };
    expect(patch.countAdHocInVerdicts).toBe(true);
    expect(patch.gapThatMatters.answer_rate).toBe(0.05);
    expect([patch.targets.transfer_rate, patch.targets.answer_rate]).toEqual([0.2, null]);
    expect(Object.values(patch.gapThatMatters).filter((v) => v === null).length).toBeGreaterThan(0);
    const bad = settingsPatchOf({ countAdHocInVerdicts: 'maybe', gaps: { answer_rate: '1e3' }, targets: {} }) as {
      countAdHocInVerdicts: unknown;
      gapThatMatters: Record<string, unknown>;
    };
    expect([bad.countAdHocInVerdicts, bad.gapThatMatters.answer_rate]).toEqual(['maybe', '1e3']);
  });
});

describe('plan summary', () => {
  it('names each unfilled slot by touchpoint, week and reason, and caps the list', () => {
    const unfilled = Array.from({ length: 12 }, (_, slot) => ({
      touchpointId: 'tp',
      weekStart: '2026-11-09',
      slot,
      reason: 'no_tester_available',
      explanation: 'nobody free',
    }));
    const text = planSummary(
      { planned: 3, unfilled, weeksPlanned: ['2026-11-09'], weeksAlreadyPlanned: ['2026-11-02'] },
      new Map([['tp', 'Leeds line']]),
    );
    expect(text).toMatch(
      /^Planned 3 test\(s\) in the week\(s\) of 2026-11-09\. already planned, nothing added: 2026-11-02/,
    );
    expect(text).toContain('12 slot(s) unfilled: Leeds line (week of 2026-11-09): no tester available — nobody free');
    expect(text).toMatch(/; and 2 more\.$/);
  });
});

describe('time zone picker', () => {
  it('offers zones the service accepts, and keeps a stored zone it would not list', () => {
    const values = timeZoneOptions().map((o) => o.value);
    expect(values).toEqual(expect.arrayContaining(['UTC', 'Europe/London', 'America/New_York']));
    expect(values).not.toContain('US/Pacific-New');
    expect(timeZoneOptions('Mars/Olympus_Mons')[0]).toEqual({ value: 'Mars/Olympus_Mons', label: 'Mars/Olympus_Mons' });
  });
});
