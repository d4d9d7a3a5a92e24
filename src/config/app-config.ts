import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

import { IsUrlWithProtocol } from './is-url-with-protocol.validator.js';

const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) => {
  value = emptyToUndefined({ value });
  if (value === undefined) return undefined;
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
};
const toBool = ({ value }: { value: unknown }) => {
  value = emptyToUndefined({ value });
  if (value === undefined) return undefined;
  const v =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value).trim().toLowerCase()
      : '';
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/** The environment as it is read, one property per variable, each with its rule. */
class EnvironmentVariables {
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 0 to 65535' })
  @Min(0, { message: 'must be an integer from 0 to 65535' })
  @Max(65535, { message: 'must be an integer from 0 to 65535' })
  PORT?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  HOST?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrlWithProtocol(['postgres:', 'postgresql:'], {
    message: 'must be a URL like postgres://user:password@host:5432/database',
  })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 200' })
  @Min(1, { message: 'must be an integer from 1 to 200' })
  @Max(200, { message: 'must be an integer from 1 to 200' })
  DATABASE_POOL_SIZE?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1024 to 65535' })
  @Min(1024, { message: 'must be an integer from 1024 to 65535' })
  @Max(65535, { message: 'must be an integer from 1024 to 65535' })
  EMBEDDED_PG_PORT?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrlWithProtocol(['smtp:', 'smtps:'], { message: 'must be a URL like smtp://user:password@host:587' })
  SMTP_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  MAIL_FROM?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrlWithProtocol(['http:', 'https:'], { message: 'must be an http(s) URL, e.g. https://groundtruth.example.org' })
  PUBLIC_URL?: string;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  ENABLE_JOBS?: boolean;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['development', 'production', 'test'], { message: 'must be one of development, production, test' })
  NODE_ENV?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['100kb', '1mb', '5mb', '10mb'], { message: 'must be one of 100kb, 1mb, 5mb, 10mb' })
  BODY_LIMIT?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 100000' })
  @Min(1, { message: 'must be an integer from 1 to 100000' })
  @Max(100_000, { message: 'must be an integer from 1 to 100000' })
  RATE_LIMIT_FAILURES?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 86400' })
  @Min(1, { message: 'must be an integer from 1 to 86400' })
  @Max(86_400, { message: 'must be an integer from 1 to 86400' })
  RATE_LIMIT_WINDOW_SECONDS?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 0 to 10' })
  @Min(0, { message: 'must be an integer from 0 to 10' })
  @Max(10, { message: 'must be an integer from 0 to 10' })
  TRUST_PROXY?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 3650' })
  @Min(1, { message: 'must be an integer from 1 to 3650' })
  @Max(3650, { message: 'must be an integer from 1 to 3650' })
  DIGEST_LINK_DAYS?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 720' })
  @Min(1, { message: 'must be an integer from 1 to 720' })
  @Max(720, { message: 'must be an integer from 1 to 720' })
  SESSION_IDLE_HOURS?: number;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 365' })
  @Min(1, { message: 'must be an integer from 1 to 365' })
  @Max(365, { message: 'must be an integer from 1 to 365' })
  SESSION_ABSOLUTE_DAYS?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(3, { message: 'must be a bucket name (3 characters or more)' })
  EVIDENCE_S3_BUCKET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrlWithProtocol(['http:', 'https:'], { message: 'must be an http(s) URL, e.g. https://s3.example.org' })
  EVIDENCE_S3_ENDPOINT?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  EVIDENCE_S3_REGION?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  EVIDENCE_S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  EVIDENCE_S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  EVIDENCE_S3_FORCE_PATH_STYLE?: boolean;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  EVIDENCE_S3_PREFIX?: string;
}

export class ConfigError extends Error {}

const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SMTP_URL', 'EVIDENCE_S3_SECRET_ACCESS_KEY']);

/** Every setting of the service, validated once at start; injected by class. */
export class AppConfig {
  readonly port: number;
  readonly host: string;
  /** Absent: an embedded PostgreSQL is started under `dataDir`. */
  readonly databaseUrl?: string;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  /** Absent: a free port is chosen when the embedded server starts. */
  readonly embeddedPgPort?: number;
  /** Absent: mail is written as .eml files under `<dataDir>/mail`. */
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly enableJobs: boolean;
  readonly logLevel: string;
  readonly nodeEnv: string;
  readonly bodyLimit: string;
  /** Failed guesses of keys and link secrets one client may make per window before it gets 429. */
  readonly rateLimit: { failures: number; windowSeconds: number };
  /** Reverse proxies in front of the service whose X-Forwarded-For is believed (0: none). */
  readonly trustProxy: number;
  /** Days a digest's web link opens after the digest is sent. */
  readonly digestLinkDays: number;
  /** A console session ends after this long unused (each use slides it), and this long after sign-in whatever. */
  readonly session: { idleHours: number; absoluteDays: number };
  /** Absent: evidence files are kept in PostgreSQL. */
  readonly evidenceS3?: EvidenceS3Config;

  constructor(values: Omit<AppConfig, 'with'>) {
    Object.assign(this, values);
  }

  /** The same settings with a few replaced (tests, CLI). */
  with(overrides: Partial<AppConfig>): AppConfig {
    return new AppConfig({ ...this, ...overrides });
  }
}

/** S3-compatible object storage for evidence files; without keys, the SDK's own chain (e.g. an instance role). */
export interface EvidenceS3Config {
  bucket: string;
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  prefix: string;
}

function evidenceS3(vars: EnvironmentVariables): EvidenceS3Config | undefined {
  const named = ['EVIDENCE_S3_ENDPOINT', 'EVIDENCE_S3_ACCESS_KEY_ID', 'EVIDENCE_S3_SECRET_ACCESS_KEY'] as const;
  if (!vars.EVIDENCE_S3_BUCKET) {
    const stray = named.find((n) => vars[n] !== undefined);
    if (stray) throw new ConfigError(`Invalid configuration: ${stray} is set but EVIDENCE_S3_BUCKET is not`);
    return undefined;
  }
  if (Boolean(vars.EVIDENCE_S3_ACCESS_KEY_ID) !== Boolean(vars.EVIDENCE_S3_SECRET_ACCESS_KEY))
    throw new ConfigError(
      'Invalid configuration: EVIDENCE_S3_ACCESS_KEY_ID and EVIDENCE_S3_SECRET_ACCESS_KEY go together (or neither)',
    );
  const keys = vars.EVIDENCE_S3_ACCESS_KEY_ID
    ? { accessKeyId: vars.EVIDENCE_S3_ACCESS_KEY_ID, secretAccessKey: vars.EVIDENCE_S3_SECRET_ACCESS_KEY! }
    : undefined;
  return {
    bucket: vars.EVIDENCE_S3_BUCKET,
    endpoint: vars.EVIDENCE_S3_ENDPOINT,
    region: vars.EVIDENCE_S3_REGION ?? 'us-east-1',
    credentials: keys,
    // a custom endpoint is most often MinIO or the like, which wants path-style addressing
    forcePathStyle: vars.EVIDENCE_S3_FORCE_PATH_STYLE ?? Boolean(vars.EVIDENCE_S3_ENDPOINT),
    prefix: vars.EVIDENCE_S3_PREFIX ?? '',
  };
}

function firstMessage(error: ValidationError): string {
  const constraints = error.constraints ?? {};
  return Object.values(constraints)[0] ?? 'is invalid';
}

/** Reads and validates the environment; throws a ConfigError naming the first bad variable and its rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, { ...env }, { excludeExtraneousValues: false });
  const errors = validateSync(vars, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const e = errors[0];
    // URLs may carry passwords: name the variable and the rule, never echo such a value.
    const shown = SECRET_VARIABLES.has(e.property) ? 'value not shown' : `got ${JSON.stringify(env[e.property])}`;
    throw new ConfigError(`Invalid configuration: ${e.property} ${firstMessage(e)} (${shown})`);
  }
  const port = vars.PORT ?? 3000;
  const host = vars.HOST ?? '0.0.0.0';
  return new AppConfig({
    port,
    host,
    databaseUrl: vars.DATABASE_URL,
    databasePoolSize: vars.DATABASE_POOL_SIZE ?? 10,
    dataDir: vars.DATA_DIR ?? '.data',
    embeddedPgPort: vars.EMBEDDED_PG_PORT,
    smtpUrl: vars.SMTP_URL,
    mailFrom: vars.MAIL_FROM ?? 'groundtruth@localhost',
    publicUrl: (vars.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    enableJobs: vars.ENABLE_JOBS ?? true,
    logLevel: vars.LOG_LEVEL ?? 'info',
    nodeEnv: vars.NODE_ENV ?? 'development',
    bodyLimit: vars.BODY_LIMIT ?? '1mb',
    rateLimit: { failures: vars.RATE_LIMIT_FAILURES ?? 30, windowSeconds: vars.RATE_LIMIT_WINDOW_SECONDS ?? 900 },
    trustProxy: vars.TRUST_PROXY ?? 0,
    digestLinkDays: vars.DIGEST_LINK_DAYS ?? 90,
    session: { idleHours: vars.SESSION_IDLE_HOURS ?? 8, absoluteDays: vars.SESSION_ABSOLUTE_DAYS ?? 7 },
    evidenceS3: evidenceS3(vars),
  });
}

/** The configuration from the environment, or exit 2 with one line naming the variable and rule. */
export function configOrExit(overrides: Record<string, string> = {}): AppConfig {
  try {
    return loadConfig({ ...process.env, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
