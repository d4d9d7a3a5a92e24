import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('keeps evidence in PostgreSQL unless a bucket is named, and reads S3 settings with defaults', () => {
    expect(loadConfig({}).evidenceS3).toBeUndefined();
    expect(
      loadConfig({
        EVIDENCE_S3_BUCKET: 'gt-evidence',
        EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000',
        EVIDENCE_S3_ACCESS_KEY_ID: 'id',
        EVIDENCE_S3_SECRET_ACCESS_KEY: 'secret',
      }).evidenceS3,
    ).toEqual({
      bucket: 'gt-evidence',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: true,
      prefix: '',
    });
    expect(loadConfig({ EVIDENCE_S3_BUCKET: 'on-aws' }).evidenceS3).toMatchObject({ forcePathStyle: false });
  });

  it('refuses half an S3 configuration, naming what is missing, and never echoes the secret', () => {
    expect(() => loadConfig({ EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(
      'EVIDENCE_S3_ENDPOINT is set but EVIDENCE_S3_BUCKET is not',
    );
    expect(() => loadConfig({ EVIDENCE_S3_BUCKET: 'bkt', EVIDENCE_S3_ACCESS_KEY_ID: 'id' })).toThrow(
      'EVIDENCE_S3_ACCESS_KEY_ID and EVIDENCE_S3_SECRET_ACCESS_KEY go together',
    );
    expect(() => loadConfig({ EVIDENCE_S3_BUCKET: 'bkt', EVIDENCE_S3_SECRET_ACCESS_KEY: 'hunter2' })).toThrow(
      /^(?!.*hunter2)/,
    );
  });

  it('gives working defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      dataDir: '.data',
      enableJobs: true,
      logLevel: 'info',
      publicUrl: 'http://localhost:3000',
      smtpUrl: undefined,
      rateLimit: { failures: 30, windowSeconds: 900 },
      trustProxy: 0,
      digestLinkDays: 90,
    });
  });

  it('reads and converts every kind of value', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://gt:secret@db.internal:5432/groundtruth',
      ENABLE_JOBS: 'false',
      PUBLIC_URL: 'https://gt.example.org/',
      SMTP_URL: 'smtps://user:pw@mail.example.org:465',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_FAILURES: '5',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      TRUST_PROXY: '1',
      DIGEST_LINK_DAYS: '30',
    });
    expect(config).toMatchObject({
      port: 8080,
      enableJobs: false,
      publicUrl: 'https://gt.example.org',
      logLevel: 'warn',
      rateLimit: { failures: 5, windowSeconds: 60 },
      trustProxy: 1,
    });
    expect(config.digestLinkDays).toBe(30);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT must be an integer from 0 to 65535 (got "70000")'],
    [{ ENABLE_JOBS: 'maybe' }, 'Invalid configuration: ENABLE_JOBS must be true or false (got "maybe")'],
    [
      { LOG_LEVEL: 'loud' },
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [
      { DATABASE_URL: 'localhost:5432' },
      'Invalid configuration: DATABASE_URL must be a URL like postgres://user:password@host:5432/database (value not shown)',
    ],
    [
      { SMTP_URL: 'http://x' },
      'Invalid configuration: SMTP_URL must be a URL like smtp://user:password@host:587 (value not shown)',
    ],
    [
      { RATE_LIMIT_FAILURES: '0' },
      'Invalid configuration: RATE_LIMIT_FAILURES must be an integer from 1 to 100000 (got "0")',
    ],
    [
      { RATE_LIMIT_WINDOW_SECONDS: '1.5' },
      'Invalid configuration: RATE_LIMIT_WINDOW_SECONDS must be an integer from 1 to 86400 (got "1.5")',
    ],
    [{ TRUST_PROXY: 'yes' }, 'Invalid configuration: TRUST_PROXY must be an integer from 0 to 10 (got "yes")'],
    [{ DIGEST_LINK_DAYS: '0' }, 'Invalid configuration: DIGEST_LINK_DAYS must be an integer from 1 to 3650 (got "0")'],
    [{ DIGEST_LINK_DAYS: 'x' }, 'Invalid configuration: DIGEST_LINK_DAYS must be an integer from 1 to 3650 (got "x")'],
  ])('refuses %j with one line naming the variable and the rule', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
