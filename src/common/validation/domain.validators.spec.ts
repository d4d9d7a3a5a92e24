import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { CreateTouchpointDto } from '../../touchpoints/touchpoint.dto.js';
import { isDateOrDateTime, isIanaTimeZone, minutesOfDay } from './domain.validators.js';

describe('domain validators', () => {
  it.each([
    ['Europe/London', true],
    ['America/Argentina/Buenos_Aires', true],
    ['UTC', true],
    ['Etc/GMT+2', true],
    ['Europe/Londres', false],
    ['+02:00', false],
    ['GMT+2', false],
    ['', false],
  ])('IANA zone %s → %s', (zone, ok) => expect(isIanaTimeZone(zone)).toBe(ok));

  it.each([
    ['2026-12-24', true],
    ['2026-02-30', false],
    ['2026-12-24T13:00:00+01:00', true],
    ['2026-12-24T13:00:00Z', true],
    ['2026-12-24T13:00:00', false], // an instant needs its offset
    ['24/12/2026', false],
    ['0000-01-01', false],
    ['9999-12-31', false],
    ['2026-01-01T00:00+99:00', false],
  ])('date or date-time %s → %s', (value, ok) => expect(isDateOrDateTime(value)).toBe(ok));

  it('counts minutes of the day', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('24:00')).toBe(1440);
    expect(minutesOfDay('09:30')).toBe(570);
  });

  it('flags overlapping opening hours on one day but not touching ones', () => {
    const base = { name: 'x', channel: 'phone', contact: '+44 1234 5678', timezone: 'UTC' };
    const touching = plainToInstance(CreateTouchpointDto, {
      ...base,
      openingHours: [
        { day: 'mon', open: '09:00', close: '12:00' },
        { day: 'mon', open: '12:00', close: '17:00' },
      ],
    });
    expect(validateSync(touching)).toEqual([]);
    const overlapping = plainToInstance(CreateTouchpointDto, {
      ...base,
      openingHours: [
        { day: 'mon', open: '09:00', close: '12:01' },
        { day: 'mon', open: '12:00', close: '17:00' },
      ],
    });
    expect(validateSync(overlapping).map((e) => Object.keys(e.constraints ?? {}))).toEqual([['noOverlap']]);
  });
});
