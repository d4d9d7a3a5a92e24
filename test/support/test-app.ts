import { randomBytes } from 'node:crypto';

import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { createApp } from '../../src/app.js';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';

export interface TestApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  dataSource: DataSource;
  clock: ManualClock;
  config: AppConfig;
  /** Every JSON log line the app wrote. */
  logs: string[];
  databaseUrl: string;
  close(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

/** A database of its own for one test file, on the run's PostgreSQL server. */
export async function createTestDatabase(): Promise<string> {
  const name = `gt_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * The application on a database of its own (dropped on close), or, with `databaseUrl`, on another
 * test app's database (a second instance; that database is left alone on close).
 */
export async function createTestApp(
  options: { clock?: ManualClock; env?: Record<string, string>; databaseUrl?: string } = {},
): Promise<TestApp> {
  const shared = options.databaseUrl;
  const databaseUrl = shared ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'test',
    ENABLE_JOBS: 'false',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const clock = options.clock ?? new ManualClock('2026-11-02T09:00:00Z');
  const app = await createApp(config, { clock, logger });
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    http: () => request(server),
    dataSource: app.get(DataSource),
    clock,
    config,
    logs,
    databaseUrl,
    async close() {
      await app.close();
      if (!shared) await dropTestDatabase(databaseUrl);
    },
  };
}
