import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffMs,
  exhausted,
  judgeFailure,
  MAX_ATTEMPTS,
  RETRY_FOR_MS,
} from './outbox-sender.js';

const smtpError = (props: Record<string, unknown>) => Object.assign(new Error('failed'), props);

describe('backoffMs', () => {
  it('doubles from 30 s up to the one-hour cap, anywhere from zero to that (full jitter)', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, () => 0.999999))).toEqual(
      [1, 2, 4, 8].map((k) => Math.floor(0.999999 * k * BACKOFF_BASE_MS)),
    );
    expect(backoffMs(9, () => 0.999999)).toBe(Math.floor(0.999999 * BACKOFF_CAP_MS));
    expect(backoffMs(40, () => 0.5)).toBe(BACKOFF_CAP_MS / 2);
    expect(backoffMs(3, () => 0)).toBe(0);
  });
});

describe('exhausted', () => {
  const createdAt = new Date('2026-11-23T09:00:00Z');
  const after = (ms: number) => new Date(createdAt.getTime() + ms);

  it('gives a failing mail up only when it has had its attempts and its day, never for either alone (an outage of hours uses up the attempts, not the day)', () => {
    expect(exhausted({ attempts: MAX_ATTEMPTS, createdAt }, after(RETRY_FOR_MS))).toBe(true);
    expect(exhausted({ attempts: MAX_ATTEMPTS + 20, createdAt }, after(RETRY_FOR_MS - 1))).toBe(false);
    expect(exhausted({ attempts: MAX_ATTEMPTS - 1, createdAt }, after(10 * RETRY_FOR_MS))).toBe(false);
  });
});

describe('judgeFailure', () => {
  it.each([
    ['451 on RCPT', { code: 'EENVELOPE', responseCode: 451, permanent: false }, { retry: true, unreachable: false }],
    ['452 after DATA', { code: 'EMESSAGE', responseCode: 452, permanent: false }, { retry: true, unreachable: false }],
    ['421 closing', { code: 'EPROTOCOL', responseCode: 421, permanent: false }, { retry: true, unreachable: true }],
    [
      '503 bad sequence',
      { code: 'EPROTOCOL', responseCode: 503, permanent: false },
      { retry: true, unreachable: false },
    ],
    ['550 on RCPT', { code: 'EENVELOPE', responseCode: 550, permanent: true }, { retry: false, unreachable: false }],
    ['554 after DATA', { code: 'EMESSAGE', responseCode: 554, permanent: true }, { retry: false, unreachable: false }],
    ['envelope refused before sending', { code: 'EENVELOPE' }, { retry: false, unreachable: false }],
    ['535 credentials', { code: 'EAUTH', responseCode: 535, permanent: true }, { retry: true, unreachable: true }],
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, { retry: true, unreachable: true }],
    ['greeting timeout', { code: 'ETIMEDOUT' }, { retry: true, unreachable: true }],
    ['anything else', {}, { retry: true, unreachable: false }],
  ])('%s', (_name, props, verdict) => {
    expect(judgeFailure(smtpError(props))).toEqual(verdict);
  });
});
