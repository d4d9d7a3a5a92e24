import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { DataSource } from 'typeorm';

import { ManualClock } from '../common/clock.js';
import { configOrExit } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { emlPath } from '../mail/mail-transport.js';
import { RunningServer, startServer, stopOnSignals } from '../server.js';
import { ApiClient } from './api-client.js';
import { createDemoOrganisation, DemoState, firstMondayBefore, replay, WEEKS } from './replay.js';

/** Stands still while the demo replays its weeks, then follows the real time. */
class DemoClock extends ManualClock {
  private live = false;

  override now(): Date {
    return this.live ? new Date() : super.now();
  }

  followRealTime(): void {
    this.live = true;
  }
}

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  // jobs start after the replay, on the real time; request logs would drown the story
  const config = configOrExit({ ENABLE_JOBS: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const clock = new DemoClock();
  const realNow = new Date();
  say('Groundtruth demo: starting the service (embedded PostgreSQL unless DATABASE_URL is set)…');
  const server = await startServer(config, { clock });
  stopOnSignals(server);
  try {
    await run(server, clock, realNow);
  } catch (error) {
    // stop what was started (the embedded database is detached and would outlive the demo)
    process.stderr.write(`The demo failed: ${(error as Error).message}\n`);
    await server.stop();
    process.exit(1);
  }
}

async function run(server: RunningServer, clock: DemoClock, realNow: Date): Promise<void> {
  const config = server.config;
  const api = new ApiClient(server.url);
  const stateFile = path.resolve(config.dataDir, 'demo.json');

  let state = await reusableState(server, api, stateFile);
  if (state) {
    say(`Reusing the demo organisation created earlier (${stateFile}).`);
  } else {
    const firstMonday = firstMondayBefore(realNow);
    clock.set(firstMonday.minus({ days: 1 }).set({ hour: 12 }).toJSDate());
    say(
      `Creating the demo organisation and replaying ${WEEKS} weeks from ${firstMonday.toFormat('d LLL yyyy')} on the clock…`,
    );
    state = await createDemoOrganisation(server.app, api, firstMonday);
    const stats = await replay(server.app, api, clock, state, realNow, say);
    // written once whole: an interrupted replay is started afresh next time
    await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    say(
      `Replayed: ${stats.planned} tests planned, ${stats.completed} contacts recorded, ${stats.declined} declined, ` +
        `${stats.missed} missed, ${stats.claims} claims from the reviews, ${stats.digests} digests, ${stats.mails} mails written ` +
        `(${stats.requests} API requests).`,
    );
  }
  clock.followRealTime();
  server.app.get(JobsService).schedule();

  const digest = await latestDigest(server, state.subscriptionId);
  say();
  say(`Ready after ${seconds()} s. Serving on ${server.url} until Ctrl-C.`);
  say();
  say(`  Admin API key      ${state.adminKey}`);
  say(`  Quality lead's key ${state.keys.quality}   (Lena Fischer, who reads the digests)`);
  if (digest) {
    say(`  Latest digest      ${digest.link}`);
    say(`  …as it was mailed  ${digest.eml}`);
  } else {
    say('  No digest has gone out yet.');
  }
  say(`  API docs           ${server.url}/api/docs`);
  say(`  All mail           ${path.resolve(config.dataDir, 'mail')}`);
  say();
  say(`  Try: curl -H "Authorization: Bearer ${state.adminKey}" ${server.url}/api/v1/metrics`);
}

/** The state of an earlier run, if its organisation is still in this database and its key still works. */
async function reusableState(server: RunningServer, api: ApiClient, file: string): Promise<DemoState | null> {
  if (!existsSync(file)) return null;
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as DemoState;
    const org = await api.call<{ id: string }>(state.adminKey, 'GET', `/api/v1/organizations/${state.organizationId}`);
    return org.id === state.organizationId ? state : null;
  } catch {
    return null;
  }
}

/** The web link and .eml of the newest digest, read from the mail that carried it. */
async function latestDigest(
  server: RunningServer,
  subscriptionId: string,
): Promise<{ link: string; eml: string } | null> {
  const [mail]: Array<{ message_id: string; created_at: Date; text_body: string }> = await server.app
    .get(DataSource)
    .query(
      `SELECT m.message_id, m.created_at, m.text_body
       FROM outbox_message m
      WHERE m.dedupe_key LIKE 'digest:' || $1::text || ':%' AND m.sent_at IS NOT NULL
      ORDER BY m.created_at DESC, m.recipient
      LIMIT 1`,
      [subscriptionId],
    );
  const link = mail?.text_body.match(/https?:\/\/\S+\/d\/[A-Za-z0-9_-]+/)?.[0];
  if (!mail || !link) return null;
  return {
    link,
    eml: emlPath(server.config.dataDir, { messageId: mail.message_id, createdAt: new Date(mail.created_at) }),
  };
}

void main();
