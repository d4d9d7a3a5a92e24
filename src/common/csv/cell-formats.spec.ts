import { dateRangesCell, listCell, weeklyHoursCell } from './cell-formats.js';
import { CellError } from './csv-import.js';

describe('CSV cell formats', () => {
  it('reads lists separated by ; or |', () => {
    expect(listCell('tester; owner|quality')).toEqual(['tester', 'owner', 'quality']);
    expect(listCell('')).toEqual([]);
  });

  it('expands day ranges and lists into weekly hours', () => {
    expect(weeklyHoursCell('h', 'mon-wed 9:00-17:30; sat,sun 10:00-12:00', 'open', 'close')).toEqual([
      { day: 'mon', open: '09:00', close: '17:30' },
      { day: 'tue', open: '09:00', close: '17:30' },
      { day: 'wed', open: '09:00', close: '17:30' },
      { day: 'sat', open: '10:00', close: '12:00' },
      { day: 'sun', open: '10:00', close: '12:00' },
    ]);
    expect(weeklyHoursCell('h', '  ', 'open', 'close')).toBeUndefined();
  });

  it.each(['weekdays 9-5', 'fri-mon 09:00-17:00', 'mon 09:00', 'xyz 09:00-10:00'])(
    'names the field and rule for "%s"',
    (text) => {
      expect(() => weeklyHoursCell('openingHours', text, 'open', 'close')).toThrow(CellError);
      try {
        weeklyHoursCell('openingHours', text, 'open', 'close');
      } catch (e) {
        expect(e).toMatchObject({ field: 'openingHours', rule: 'format' });
      }
    },
  );

  it('reads date ranges with optional end and reason', () => {
    expect(dateRangesCell('leave', '2026-12-24..2027-01-02 Christmas break; 2027-02-10')).toEqual([
      { from: '2026-12-24', to: '2027-01-02', reason: 'Christmas break' },
      { from: '2027-02-10', to: '2027-02-10' },
    ]);
  });
});
