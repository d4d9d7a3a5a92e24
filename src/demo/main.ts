import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { DataSource } from 'typeorm';

import { ManualClock } from '../common/clock.js';
import { configOrExit } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { SIGNIN_LINK_MINUTES } from '../links/link-kinds.js';
import { emlPath } from '../mail/mail-transport.js';
import { BEFORE_WINDOW } from '../outcomes/outcome-rules.js';
import { RunningServer, startServer, stopOnSignals } from '../server.js';
import { SignInService } from '../signin/signin.service.js';
import { ApiClient } from './api-client.js';
import { DEMO_ADMIN, PEOPLE, TRY_IT, VISITOR } from './demo-organisation.js';
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
    state = await createDemoOrganisation(server.app, api, firstMonday, realNow);
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
  const links = await signInLinks(server, state);
  const open = await openTests(api, state, clock.now());
  say();
  say(`Ready after ${seconds()} s. Serving on ${server.url} until Ctrl-C.`);
  say();
  say(
    `  The console        ${server.url}/   sign in with a link below (each opens once, within ${SIGNIN_LINK_MINUTES} minutes)`,
  );
  say(`  Quality lead       ${links.quality}   (Lena Fischer: digests, results, claims, plan)`);
  say(`  Admin              ${links.admin}   (people, touchpoints, scenarios, campaigns)`);
  if (links.visitor) {
    const tests = open === 1 ? 'a test of the web chat' : `${open} tests of the web chat`;
    say(`  Tester             ${links.visitor}   (${VISITOR.name}: ${tests} to record in My tests)`);
    if (open === 0) say('                     (its tests are past their grace now: delete demo.json to replay afresh)');
  }
  say(
    `  A fresh link       npm run cli -- signin-link --email ${quality.email}   (or ${DEMO_ADMIN.email}, ${VISITOR.email})`,
  );
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

const quality = PEOPLE.find((p) => p.key === 'quality')!;

/** One-time console sign-in links, as `npm run cli -- signin-link` prints them, for this demo organisation's people. */
async function signInLinks(
  server: RunningServer,
  state: DemoState,
): Promise<{ quality: string; admin: string; visitor: string | null }> {
  const signIn = server.app.get(SignInService);
  // the same address may be a person of another organisation on this database (an earlier demo, say)
  const linkFor = async (email: string) =>
    (await signIn.linksFor(email)).find((l) => l.organizationId === state.organizationId)?.url ?? null;
  return {
    quality: (await linkFor(quality.email)) ?? '(none: the quality lead is gone)',
    admin: (await linkFor(DEMO_ADMIN.email)) ?? '(none: the admin is gone)',
    // a demo.json written before the visitor existed has none
    visitor: state.personIds[VISITOR.key] ? await linkFor(VISITOR.email) : null,
  };
}

/** How many of the visitor's revealed tests can be recorded now (their window begun, their grace not over). */
async function openTests(api: ApiClient, state: DemoState, now: Date): Promise<number> {
  const visitorId = state.personIds[VISITOR.key];
  if (!visitorId) return 0;
  const revealed = await api.all<{ windowStart: string; windowEnd: string }>(
    state.adminKey,
    `/api/v1/assignments?status=revealed&testerId=${visitorId}`,
  );
  const grace = TRY_IT.graceMinutes * 60_000;
  const t = now.getTime();
  return revealed.filter((a) => Date.parse(a.windowStart) - BEFORE_WINDOW <= t && Date.parse(a.windowEnd) + grace > t)
    .length;
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
