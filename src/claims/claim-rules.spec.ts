import {
  claimZone,
  isJudged,
  isWaitMetric,
  ownerChangeRefusal,
  scopeChannels,
  scopeErrors,
  storedChannel,
} from './claim-rules.js';
import type { ClaimTouchpoint, TeamChannel } from './claim-rules.js';

const phone: ClaimTouchpoint = { ownerId: 'owner', channel: 'phone', timezone: 'Pacific/Auckland' };
const rules = (errors: Array<{ field: string; rule: string }>) => errors.map((e) => `${e.field}:${e.rule}`);

describe('which metrics are waits', () => {
  it('is the metrics measured in seconds', () => {
    expect(
      ['avg_seconds_to_human', 'median_seconds_to_human', 'answer_rate', 'courtesy_avg'].map(isWaitMetric),
    ).toEqual([true, true, false, false]);
  });
});

describe("metrics that fit the claim's channels", () => {
  const store: ClaimTouchpoint = { ownerId: 'owner', channel: 'in_person', timezone: 'Europe/London' };
  const teams: TeamChannel[] = [
    { team: 'retail', channel: 'in_person' },
    { team: 'care', channel: 'phone' },
    { team: 'care', channel: 'email' },
    { team: null, channel: 'chat' },
  ];

  it("refuse a metric never measured on the touchpoint's channel, naming both and where it is measured", () => {
    const errors = scopeErrors({ touchpointId: 't', metric: 'disconnect_rate' }, store);
    expect(rules(errors)).toEqual(['metric:fitsChannel']);
    expect(errors[0].message).toBe(
      "disconnect_rate does not fit the touchpoint's channel (in_person): " +
        'it is measured on phone and chat contacts only',
    );
    expect(rules(scopeErrors({ touchpointId: 't', metric: 'median_queue_seconds' }, phone))).toEqual([
      'metric:fitsChannel',
    ]);
    expect(scopeErrors({ touchpointId: 't', metric: 'median_queue_seconds' }, store)).toEqual([]);
    expect(scopeErrors({ touchpointId: 't', metric: 'first_contact_resolution' }, store)).toEqual([]);
    // a touchpoint that is not the organization's is named once, as unknown
    expect(rules(scopeErrors({ touchpointId: 't', metric: 'disconnect_rate' }, null))).toEqual(['touchpointId:exists']);
  });

  it('refuse a metric that does not fit the channel a team or organization claim names', () => {
    const errors = scopeErrors({ team: 'care', metric: 'staff_free_rate', channel: 'phone' }, undefined);
    expect(rules(errors)).toEqual(['metric:fitsChannel']);
    expect(errors[0].message).toBe(
      'staff_free_rate does not fit the channel phone: it is measured on in_person contacts only',
    );
    expect(scopeErrors({ metric: 'answered_question_rate', channel: 'web_form' }, undefined)).toEqual([]);
  });

  it("refuse a metric that fits none of a team's (or the organization's) channels, and take one that fits any", () => {
    const care = scopeErrors({ team: 'care', metric: 'queue_system_worked_rate' }, undefined, ['phone', 'email']);
    expect(care.map((e) => e.message)).toEqual([
      "queue_system_worked_rate does not fit the channels of team care's touchpoints (phone and email): " +
        'it is measured on in_person contacts only',
    ]);
    const org = scopeErrors({ metric: 'bot_first_rate' }, undefined, ['phone']);
    expect(org[0].message).toBe(
      "bot_first_rate does not fit the channels of the organization's touchpoints (phone): " +
        'it is measured on chat contacts only',
    );
    expect(scopeErrors({ team: 'care', metric: 'transfer_rate' }, undefined, ['email', 'phone'])).toEqual([]);
    // a scope with no touchpoints yet is not judged by its channels
    expect(scopeErrors({ team: 'new', metric: 'transfer_rate' }, undefined, [])).toEqual([]);
    expect(scopeErrors({ team: 'new', metric: 'transfer_rate' }, undefined)).toEqual([]);
  });

  it("read a team's channels, or the organization's, only for a claim without a touchpoint or channel", () => {
    expect(scopeChannels({ team: 'care', metric: 'answer_rate' }, teams)).toEqual(['phone', 'email']);
    expect(scopeChannels({ metric: 'answer_rate' }, teams)).toEqual(['in_person', 'phone', 'email', 'chat']);
    expect(scopeChannels({ team: 'none', metric: 'answer_rate' }, teams)).toEqual([]);
    expect(scopeChannels({ touchpointId: 't', metric: 'answer_rate' }, teams)).toBeUndefined();
    expect(scopeChannels({ team: 'care', channel: 'phone', metric: 'answer_rate' }, teams)).toBeUndefined();
  });
});

describe('scope and channel rules', () => {
  it('asks a wait claimed for a team or the organization for its channel', () => {
    expect(rules(scopeErrors({ team: 'sales', metric: 'median_seconds_to_human' }, undefined))).toEqual([
      'channel:requiredForWaits',
    ]);
    expect(rules(scopeErrors({ metric: 'avg_seconds_to_human', channel: null }, undefined))).toEqual([
      'channel:requiredForWaits',
    ]);
    expect(scopeErrors({ metric: 'avg_seconds_to_human', channel: 'email' }, undefined)).toEqual([]);
  });

  it('leaves the channel optional for other metrics, and for a touchpoint claim (its own channel)', () => {
    expect(scopeErrors({ team: 'sales', metric: 'answer_rate' }, undefined)).toEqual([]);
    expect(scopeErrors({ metric: 'answer_rate', channel: 'chat' }, undefined)).toEqual([]);
    expect(scopeErrors({ touchpointId: 't', metric: 'median_seconds_to_human' }, phone)).toEqual([]);
    expect(scopeErrors({ touchpointId: 't', metric: 'median_seconds_to_human', channel: 'phone' }, phone)).toEqual([]);
  });

  it("refuses a touchpoint claim's channel other than the touchpoint's", () => {
    const errors = scopeErrors({ touchpointId: 't', metric: 'answer_rate', channel: 'email' }, phone);
    expect(rules(errors)).toEqual(['channel:matchesTouchpoint']);
    expect(errors[0].message).toBe("channel must be left out or be the touchpoint's own (phone)");
  });

  it('names a touchpoint not of the organization, and two scopes at once', () => {
    expect(rules(scopeErrors({ touchpointId: 't', metric: 'answer_rate' }, null))).toEqual(['touchpointId:exists']);
    expect(rules(scopeErrors({ touchpointId: 't', team: 'x', metric: 'answer_rate' }, phone))).toEqual([
      'team:oneScope',
    ]);
  });

  it("stores a touchpoint claim's channel as its touchpoint's, and any other as given", () => {
    expect(storedChannel({ touchpointId: 't', metric: 'answer_rate' }, phone)).toBe('phone');
    expect(storedChannel({ team: 'x', metric: 'answer_rate', channel: 'chat' }, undefined)).toBe('chat');
    expect(storedChannel({ metric: 'answer_rate' }, undefined)).toBeNull();
  });
});

describe('when a claim is judged', () => {
  it("is once the period's last day is over in the touchpoint's zone", () => {
    // 2026-11-22 ends at 11:00 UTC in Auckland (UTC+13), at 08:00 on the 23rd UTC in Los Angeles (UTC−8)
    expect(isJudged('2026-11-22', 'Pacific/Auckland', new Date('2026-11-22T10:59:59Z'))).toBe(false);
    expect(isJudged('2026-11-22', 'Pacific/Auckland', new Date('2026-11-22T11:00:00Z'))).toBe(true);
    expect(isJudged('2026-11-22', 'America/Los_Angeles', new Date('2026-11-23T07:59:59Z'))).toBe(false);
    expect(isJudged('2026-11-22', 'America/Los_Angeles', new Date('2026-11-23T08:00:00Z'))).toBe(true);
  });

  it('uses UTC days for team and organization claims, and for a zone it cannot read', () => {
    expect(claimZone(undefined)).toBe('UTC');
    expect(claimZone(phone)).toBe('Pacific/Auckland');
    expect(isJudged('2026-11-22', 'UTC', new Date('2026-11-22T23:59:59Z'))).toBe(false);
    expect(isJudged('2026-11-22', 'UTC', new Date('2026-11-23T00:00:00Z'))).toBe(true);
    expect(isJudged('2026-11-22', 'Not/AZone', new Date('2026-11-23T00:00:00Z'))).toBe(true);
  });
});

describe('what an owner may change', () => {
  const running = new Date('2026-11-20T12:00:00Z');
  it('is a claim they reported, while its period runs', () => {
    expect(ownerChangeRefusal({ reportedBy: 'me', periodEnd: '2026-11-22' }, 'me', 'UTC', running)).toBeNull();
  });

  it("is not someone else's claim (quality's, or one whose reporter is gone)", () => {
    expect(ownerChangeRefusal({ reportedBy: 'quality', periodEnd: '2026-11-22' }, 'me', 'UTC', running)?.rule).toBe(
      'ownClaimsOnly',
    );
    expect(ownerChangeRefusal({ reportedBy: null, periodEnd: '2026-11-22' }, 'me', 'UTC', running)?.rule).toBe(
      'ownClaimsOnly',
    );
  });

  it('is not a claim once judged, and says when its period ended', () => {
    const refusal = ownerChangeRefusal({ reportedBy: 'me', periodEnd: '2026-11-19' }, 'me', 'Europe/London', running);
    expect(refusal).toEqual({
      rule: 'notJudged',
      message:
        'Owners may not change or delete a claim once it is judged: its period ended on 2026-11-19 (Europe/London); ' +
        'quality or an admin can change it',
    });
  });
});
