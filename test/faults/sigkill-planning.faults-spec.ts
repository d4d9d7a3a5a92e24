import pg from 'pg';

import { LOCKS } from '../../src/database/advisory-lock.js';
import { startNode } from '../support/child-process.js';
import { auth, newOrganization, TestOrganization } from '../support/factories.js';
import { createTestApp, TestApp } from '../support/test-app.js';

/**
 * `cli plan` killed with SIGKILL while it plans a campaign big enough to take a while (thousands of
 * assignments over four weeks, one transaction): nothing of the interrupted plan may remain, and
 * planning again gives the whole plan, once, the same as an uninterrupted run.
 */

const TOUCHPOINTS = 1_500;
const TESTERS = 600;
const FROM = '2027-03-01';
const TO = '2027-03-28';

let t: TestApp;
let org: TestOrganization;
let campaignId: string;
let watcher: pg.Client;

const planArgs = () => ['plan', '--campaign', campaignId, '--from', FROM, '--to', TO];
const cliEnv = () => ({ DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'info' });

interface PlanRows {
  assignments: string[];
  weeks: number;
  unfilled: number;
}

/** The campaign's plan as rows (what a tester would be sent), in a stable order. */
async function planRows(): Promise<PlanRows> {
  const assignments = await t.dataSource.query(
    `SELECT tester_id || ' ' || touchpoint_id || ' ' || scenario_id || ' ' || slot || ' ' || window_start::text AS row
       FROM assignment WHERE campaign_id = $1 ORDER BY 1`,
    [campaignId],
  );
  const [{ weeks }] = await t.dataSource.query(
    'SELECT count(*)::int AS weeks FROM campaign_week WHERE campaign_id = $1',
    [campaignId],
  );
  const [{ unfilled }] = await t.dataSource.query(
    'SELECT count(*)::int AS unfilled FROM unfilled_slot WHERE campaign_id = $1',
    [campaignId],
  );
  return { assignments: assignments.map((r: { row: string }) => r.row), weeks, unfilled };
}

/** Polls the server until `sql` (run by a connection of its own) returns a row; returns it. */
async function waitForRow(sql: string, params: unknown[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await watcher.query(sql, params)).rowCount === 0) {
    if (Date.now() > until) throw new Error(`no row within ${timeoutMs} ms for: ${sql}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Another session holds the organization's planning lock: the plan is being computed.
const PLANNING = `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND granted AND pid <> pg_backend_pid()`;
// Another session has begun inserting assignments: a part of the plan is written, not committed.
const INSERTING = `SELECT 1 FROM pg_locks WHERE relation = 'assignment'::regclass AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()`;
// The killed client's transaction is over (PostgreSQL rolled it back): no lock left.
const SETTLED = `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND pid <> pg_backend_pid())`;

beforeAll(async () => {
  t = await createTestApp();
  org = await newOrganization(t);
  const zones = ['Europe/London', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
  const weekdays = JSON.stringify(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '08:00', end: '18:00' })),
  );
  const opening = JSON.stringify(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '08:00', close: '18:00' })),
  );
  await t.dataSource.query(
    `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
     SELECT $1, 'tester' || i || '@faults.example', 'Tester ' || i, ARRAY['tester'], ($2::text[])[1 + i % 4], $3::jsonb
       FROM generate_series(1, $4) AS i`,
    [org.orgId, zones, weekdays, TESTERS],
  );
  await t.dataSource.query(
    `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
     SELECT $1, 'Branch ' || i, 'phone', '+44 20 7946 ' || lpad(i::text, 4, '0'), ($2::text[])[1 + i % 4], $3::jsonb, 'branches'
       FROM generate_series(1, $4) AS i`,
    [org.orgId, zones, opening, TOUCHPOINTS],
  );
  await t
    .http()
    .post('/api/v1/scenarios')
    .set(auth(org.adminKey))
    .send({ title: 'Change my address', brief: 'Say you moved.', channels: ['phone'] })
    .expect(201);
  const testerIds = (
    await t.dataSource.query(`SELECT id FROM person WHERE organization_id = $1 AND 'tester' = ANY(roles)`, [org.orgId])
  ).map((r: { id: string }) => r.id);
  const campaign = await t
    .http()
    .post('/api/v1/campaigns')
    .set(auth(org.adminKey))
    .send({
      name: 'Every branch',
      team: 'branches',
      testerIds,
      contactsPerTouchpointPerWeek: 2,
      windowMinutes: 60,
      revealLeadMinutes: 120,
      minSpacingHours: 24,
      testerWeeklyCap: 6,
      rotationDays: 28,
      startsOn: FROM,
    })
    .expect(201);
  campaignId = campaign.body.id;
  watcher = new pg.Client({ connectionString: t.databaseUrl });
  await watcher.connect();
}, 120_000);

afterAll(async () => {
  await watcher?.end();
  await t?.close();
});

describe('cli plan killed with SIGKILL', () => {
  it('leaves no partial plan, whether killed while computing or while writing; planning again writes the whole plan once', async () => {
    for (const moment of [PLANNING, INSERTING]) {
      const cli = startNode('dist/src/cli/main.js', planArgs(), cliEnv());
      await waitForRow(moment, moment === PLANNING ? [LOCKS.planning] : []);
      await cli.kill();
      await waitForRow(SETTLED, [LOCKS.planning]);
      expect(await planRows()).toEqual({ assignments: [], weeks: 0, unfilled: 0 });
    }

    const cli = startNode('dist/src/cli/main.js', planArgs(), cliEnv());
    const { code } = await cli.exited;
    expect({ code, stderr: cli.stderr() }).toEqual({ code: 0, stderr: '' });
    const planned = Number(
      /Planned (\d+) assignment\(s\) in week\(s\) 2027-03-01, 2027-03-08, 2027-03-15, 2027-03-22/.exec(
        cli.stdout(),
      )?.[1],
    );
    expect(planned).toBeGreaterThan(5_000);
    // a command runs no scheduled jobs of its own (they would send mail from the operator's shell)
    expect(cli.logs().filter((l) => l.msg === 'jobs scheduled')).toEqual([]);
    const afterKills = await planRows();
    expect(afterKills.assignments).toHaveLength(planned);
    expect(afterKills.weeks).toBe(4);

    // once planned, again is a no-op
    const again = startNode('dist/src/cli/main.js', planArgs(), cliEnv());
    expect((await again.exited).code).toBe(0);
    expect(again.stdout()).toMatch(/Planned 0 assignment\(s\)/);
    expect(await planRows()).toEqual(afterKills);

    // the same as a run that was never interrupted: same seed, same inputs, same plan
    await t.dataSource.transaction(async (m) => {
      for (const table of ['assignment', 'unfilled_slot', 'campaign_week'])
        await m.query(`DELETE FROM ${table} WHERE campaign_id = $1`, [campaignId]);
    });
    const clean = startNode('dist/src/cli/main.js', planArgs(), cliEnv());
    expect((await clean.exited).code).toBe(0);
    expect(await planRows()).toEqual(afterKills);
  });
});
