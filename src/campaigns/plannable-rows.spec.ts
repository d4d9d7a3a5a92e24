import { unplannableTester, unplannableTouchpoint } from './plannable-rows.js';

const touchpoint = {
  timezone: 'Europe/London',
  opening_hours: [{ day: 'mon', open: '09:00', close: '17:00' }],
  closures: [{ from: '2027-12-25', to: '2027-12-26' }],
};
const tester = { timezone: 'Asia/Kolkata', working_hours: [{ day: 'fri', start: '00:00', end: '24:00' }], leave: [] };

describe('rows the planner can use', () => {
  it('takes what the API stores', () => {
    expect(unplannableTouchpoint(touchpoint)).toBeNull();
    expect(unplannableTester(tester)).toBeNull();
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, /time zone "Mars\/Olympus"/],
    [{ opening_hours: { mon: '9-5' } }, /opening_hours is not a list/],
    [{ opening_hours: [{ day: 'monday', open: '09:00', close: '17:00' }] }, /opening_hours/],
    [{ opening_hours: [{ day: 'mon', open: '9', close: '17:00' }] }, /opening_hours/],
    [{ opening_hours: [null] }, /opening_hours/],
    [{ closures: 'none' }, /closures is not a list/],
    [{ closures: [{ from: 'christmas', to: '2027-12-26' }] }, /closures/],
  ])('names what is wrong with a touchpoint written behind the API: %j', (change, reason) => {
    expect(unplannableTouchpoint({ ...touchpoint, ...change })).toMatch(reason);
  });

  it.each([
    [{ timezone: 42 }, /time zone 42/],
    [{ working_hours: null }, /working_hours is not a list/],
    [{ working_hours: [{ day: 'fri', start: '00:00', end: '25:00' }] }, /working_hours/],
    [{ leave: [{ from: '2027-01-01' }] }, /leave is not a list/],
  ])('names what is wrong with a tester written behind the API: %j', (change, reason) => {
    expect(unplannableTester({ ...tester, ...change })).toMatch(reason);
  });
});
