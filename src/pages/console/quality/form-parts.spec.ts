import { listOf } from '../forms.js';
import { claimBody } from './claims.controller.js';
import { numberOrText, teamChoices } from './form-parts.js';
import { subscriptionBody, subscriptionFormOf } from './subscriptions.controller.js';

describe('reading a posted form', () => {
  it('takes every value of a checkbox list, none when none is ticked', () => {
    expect(listOf({ people: ['a', 'b'] }, 'people')).toEqual(['a', 'b']);
    expect(listOf({ people: 'a' }, 'people')).toEqual(['a']);
    expect(listOf({}, 'people')).toEqual([]);
    expect(listOf({ people: ['', 'a', { x: 1 }] }, 'people')).toEqual(['a']);
  });

  it('turns a typed number into a number, and leaves other text for the DTO to name', () => {
    expect(['12', ' 0.5 ', '.5', '1e3', '-2', '', 'lots', '12abc', '0x10'].map(numberOrText)).toEqual([
      12,
      0.5,
      0.5,
      1000,
      -2,
      undefined,
      'lots',
      '12abc',
      '0x10',
    ]);
  });

  it('offers each team of the touchpoints once, by name', () => {
    expect(teamChoices([{ team: 'b' }, { team: null }, { team: 'a' }, { team: 'b' }])).toEqual([
      { value: 'a', label: 'a' },
      { value: 'b', label: 'b' },
    ]);
    expect(teamChoices([{ team: 'b' }], 'finance').map((c) => c.value)).toEqual(['b', 'finance']);
  });
});

describe('the claim form as the API body', () => {
  it('reads an empty scope field as none, so a change clears it', () => {
    expect(claimBody({ touchpointId: '', team: '', channel: '', value: '0.9' })).toMatchObject({
      touchpointId: null,
      team: null,
      channel: null,
      value: 0.9,
    });
  });

  it('reads a percentage as a fraction, and leaves a wrong value as typed', () => {
    expect(claimBody({ value: '96%' }).value).toBeCloseTo(0.96);
    expect(claimBody({ value: ' 4.5 % ' }).value).toBeCloseTo(0.045);
    expect(claimBody({ value: 'abc%' }).value).toBe('abc%');
    expect(claimBody({ value: '' }).value).toBeUndefined();
  });
});

describe('the subscription form as the API body', () => {
  it('makes recipients of the typed addresses and the ticked people', () => {
    const form = subscriptionFormOf({ emails: 'a@x.org, b@x.org\nc@x.org', people: ['p1', 'p2'], name: 'D' });
    expect(subscriptionBody(form).recipients).toEqual(['a@x.org', 'b@x.org', 'c@x.org', 'p1', 'p2']);
  });

  it('sends none ticked as no touchpoints, no team as null, and leaves out empty numbers', () => {
    const body = subscriptionBody(subscriptionFormOf({ team: '', periodDays: '', minContacts: '3' }));
    expect(body).toMatchObject({ touchpointIds: [], team: null, minContacts: 3 });
    expect(body).not.toHaveProperty('periodDays');
  });
});
