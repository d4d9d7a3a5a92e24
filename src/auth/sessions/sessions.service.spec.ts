import { SESSION_WRITE_INTERVAL_MS, sessionNeedsWrite } from './sessions.service.js';

describe('sessionNeedsWrite', () => {
  const lastSeenAt = new Date('2026-11-02T09:00:00Z');
  const at = (ms: number) => new Date(lastSeenAt.getTime() + ms);

  it('reads only within a minute of the last write', () => {
    expect(sessionNeedsWrite({ lastSeenAt, flash: null }, at(0), true)).toBe(false);
    expect(sessionNeedsWrite({ lastSeenAt, flash: null }, at(SESSION_WRITE_INTERVAL_MS - 1), true)).toBe(false);
  });

  it('writes once the last write is a minute old', () => {
    expect(SESSION_WRITE_INTERVAL_MS).toBe(60_000);
    expect(sessionNeedsWrite({ lastSeenAt, flash: null }, at(SESSION_WRITE_INTERVAL_MS), false)).toBe(true);
  });

  it('writes to hand over a waiting message, and not for a request that leaves it waiting', () => {
    expect(sessionNeedsWrite({ lastSeenAt, flash: 'Saved.' }, at(1), true)).toBe(true);
    expect(sessionNeedsWrite({ lastSeenAt, flash: 'Saved.' }, at(1), false)).toBe(false);
  });

  it('reads when the clock stands before the last write', () => {
    expect(sessionNeedsWrite({ lastSeenAt, flash: null }, at(-5 * SESSION_WRITE_INTERVAL_MS), false)).toBe(false);
  });
});
