import { claimZone, isJudged, isWaitMetric, ownerChangeRefusal, scopeErrors, storedChannel } from './claim-rules.js';
import type { ClaimTouchpoint } from './claim-rules.js';

const phone: ClaimTouchpoint = { ownerId: 'owner', channel: 'phone', timezone: 'Pacific/Auckland' };
const rules = (errors: Array<{ field: string; rule: string }>) => errors.map((e) => `${e.field}:${e.rule}`);

describe('which metrics are waits', () => {
  it('is the metrics measured in seconds', () => {
    expect(
      ['avg_seconds_to_human', 'median_seconds_to_human', 'answer_rate', 'courtesy_avg'].map(isWaitMetric),
    ).toEqual([true, true, false, false]);
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
