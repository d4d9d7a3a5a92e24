import { LINK_KINDS, testerLinkExpiry } from './link-kinds.js';
import type { StoredLink } from './secret-links.repository.js';
import { judgeLink } from './secret-links.service.js';

const at = (iso: string) => new Date(iso);
const stored = (over: Partial<StoredLink> = {}): StoredLink => ({
  id: 'l1',
  organizationId: 'o1',
  targetId: 't1',
  expiresAt: at('2027-03-10T12:00:00Z'),
  revokedAt: null,
  usedAt: null,
  ...over,
});

describe('a secret link', () => {
  it('opens its target until the moment it expires, and not from then on', () => {
    expect(judgeLink(stored(), at('2027-03-10T11:59:59.999Z'))).toEqual({ state: 'ok', link: stored() });
    expect(judgeLink(stored(), at('2027-03-10T12:00:00Z'))).toEqual({ state: 'expired' });
  });

  it('says revoked once revoked, even after it would have expired (the reader learns it was withdrawn)', () => {
    const revoked = stored({ revokedAt: at('2027-03-01T00:00:00Z') });
    expect(judgeLink(revoked, at('2027-03-02T00:00:00Z'))).toEqual({ state: 'revoked' });
    expect(judgeLink(revoked, at('2027-04-01T00:00:00Z'))).toEqual({ state: 'revoked' });
  });

  it('says used once a single-use link was used, before or after it would have expired', () => {
    const used = stored({ usedAt: at('2027-03-10T11:00:00Z') });
    expect(judgeLink(used, at('2027-03-10T11:00:01Z'))).toEqual({ state: 'used' });
    expect(judgeLink(used, at('2027-03-11T00:00:00Z'))).toEqual({ state: 'used' });
  });

  it('is unknown when no link has that secret', () => {
    expect(judgeLink(null, at('2027-03-02T00:00:00Z'))).toEqual({ state: 'unknown' });
  });
});

describe('the kinds of link', () => {
  it('each opens under a path of its own, and kinds sharing a table are told apart by purpose', () => {
    const kinds = Object.values(LINK_KINDS);
    expect(new Set(kinds.map((k) => k.path)).size).toBe(kinds.length);
    const tables = new Map<string, string[]>();
    for (const k of kinds) tables.set(k.table, [...(tables.get(k.table) ?? []), 'purpose' in k ? k.purpose : '']);
    for (const purposes of tables.values()) {
      expect(new Set(purposes).size).toBe(purposes.length);
      if (purposes.length > 1) expect(purposes).not.toContain('');
    }
  });

  it('keep the links in mail to their paths: /t for a tester, /f for a follow-up, /d for a digest', () => {
    expect([LINK_KINDS.tester.path, LINK_KINDS.followUp.path, LINK_KINDS.digest.path]).toEqual(['t', 'f', 'd']);
  });

  it("give a tester's link until the window closes, plus the campaign's grace, plus two days to edit", () => {
    expect(testerLinkExpiry(at('2027-03-10T15:00:00Z'), 90)).toEqual(at('2027-03-12T16:30:00Z'));
  });

  it('last a fortnight for a follow-up question and the configured days for a digest page', () => {
    const config = { digestLinkDays: 90 } as Parameters<typeof LINK_KINDS.digest.lifetimeMs>[0];
    expect(LINK_KINDS.followUp.lifetimeMs()).toBe(14 * 86_400_000);
    expect(LINK_KINDS.digest.lifetimeMs(config)).toBe(90 * 86_400_000);
  });

  it('open a sign-in for 15 minutes, once', () => {
    expect(LINK_KINDS.signin.lifetimeMs()).toBe(15 * 60_000);
    expect(LINK_KINDS.signin.singleUse).toBe(true);
  });
});
