import { performance } from 'node:perf_hooks';

import { ManualClock } from '../src/common/clock.js';
import { createLogger } from '../src/common/logging/logger.js';
import { loadConfig } from '../src/config/app-config.js';
import { planningServices } from './planning-services.js';
import { benchDatabase, machine } from './support.js';

/**
 * bench:lifecycle — what re-checking who may act costs. One organization of 2,000 touchpoints ×
 * 1,000 testers with four weeks planned (2 contacts a week: ~16,000 tests), then, through the same
 * services the API and jobs use: a reveal tick with nothing due (the withdrawal check, the hold and
 * reveal claims, each joined to who may act), the same tick with the first reveals due, a campaign
 * edit that takes 100 testers out (their tests withdrawn and re-planned at once), and a re-plan of
 * one planned week. Prints milliseconds for each.
 */
const TOUCHPOINTS = Number(process.env.BENCH_TOUCHPOINTS ?? 2_000);
const TESTERS = Number(process.env.BENCH_TESTERS ?? 1_000);
const ZONES = ['Europe/London', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

async function main() {
  const db = await benchDatabase();
  const { dataSource } = db;
  const clock = new ManualClock('2027-02-26T12:00:00Z');
  const logger = createLogger('warn');
  const config = loadConfig({ DATABASE_URL: db.url, NODE_ENV: 'test' });
  const { withdrawals, planning, campaigns, lifecycle } = planningServices(dataSource, clock, logger, config);
  const assignments = lifecycle!;

  const [{ id: orgId }] = await dataSource.query(
    `INSERT INTO organization (name) VALUES ('bench lifecycle') RETURNING id`,
  );
  const hours = JSON.stringify(WEEKDAYS.map((day) => ({ day, start: '08:00', end: '18:00' })));
  const opening = JSON.stringify(WEEKDAYS.map((day) => ({ day, open: '08:00', close: '18:00' })));
  await dataSource.query(
    `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
     SELECT $1, 'tester' || i || '@bench.example', 'Tester ' || i, ARRAY['tester'], ($2::text[])[1 + i % 4], $4::jsonb
       FROM generate_series(1, $3) AS i`,
    [orgId, ZONES, TESTERS, hours],
  );
  await dataSource.query(
    `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
     SELECT $1, 'Branch ' || i, 'phone', '+44 20 7946 ' || lpad(i::text, 4, '0'), ($2::text[])[1 + i % 4],
            $4::jsonb, 'bench'
       FROM generate_series(1, $3) AS i`,
    [orgId, ZONES, TOUCHPOINTS, opening],
  );
  const testerIds: string[] = (
    await dataSource.query(`SELECT id FROM person WHERE organization_id = $1 ORDER BY id`, [orgId])
  ).map((r: { id: string }) => r.id);
  const campaign = await campaigns.create(orgId, {
    name: 'bench lifecycle',
    team: 'bench',
    testerIds,
    contactsPerTouchpointPerWeek: 2,
    testerWeeklyCap: 6,
    rotationDays: 28,
    startsOn: '2027-03-01',
  });
  const plan = await planning.planPeriod(orgId, campaign.id, '2027-03-01', '2027-03-28');
  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const result = await work();
    return [result, Math.round(performance.now() - started)];
  };
  const tick = () =>
    timed(async () => ({
      withdrawn: await withdrawals.withdrawIneligibleDue('reveal_job'),
      held: await assignments.holdDue(),
      revealed: await assignments.revealDue(),
    }));

  const [, idleMs] = await tick();
  const [first] = await dataSource.query(
    `SELECT reveal_at FROM assignment WHERE campaign_id = $1 ORDER BY reveal_at LIMIT 1`,
    [campaign.id],
  );
  clock.set(new Date(first.reveal_at.getTime() + 30 * 60_000));
  const [due, dueMs] = await tick();

  const leaving = testerIds.slice(0, 100);
  const [{ n: theirs }] = await dataSource.query(
    `SELECT count(*)::int AS n FROM assignment WHERE tester_id = ANY($1::uuid[]) AND status IN ('planned', 'revealed')`,
    [leaving],
  );
  const [, editMs] = await timed(() => campaigns.update(orgId, campaign.id, { testerIds: testerIds.slice(100) }));
  const [{ n: replaced }] = await dataSource.query(
    `SELECT count(*)::int AS n FROM assignment WHERE campaign_id = $1 AND replaces_id IS NOT NULL`,
    [campaign.id],
  );
  const [replan, replanMs] = await timed(() =>
    planning.planPeriod(orgId, campaign.id, '2027-03-15', '2027-03-21', { replan: { by: null } }),
  );

  const summary = {
    benchmark: 'lifecycle',
    machine: machine(),
    postgres: db.serverVersion,
    touchpoints: TOUCHPOINTS,
    testers: TESTERS,
    planned: plan.planned,
    revealTick: { idleMs, dueMs, revealed: due.revealed },
    removeTesters: { testers: leaving.length, tests: theirs, replaced, ms: editMs },
    replanWeek: { withdrawn: replan.withdrawn, planned: replan.planned, ms: replanMs },
  };
  process.stdout.write(
    [
      `${plan.planned} tests planned (4 weeks)`,
      `reveal tick, nothing due: ${idleMs} ms; with ${due.revealed} reveals due: ${dueMs} ms`,
      `campaign edit taking ${leaving.length} testers out: ${theirs} tests withdrawn, ${replaced} re-planned, ` +
        `in ${editMs} ms`,
      `re-plan of one week: ${replan.withdrawn} withdrawn, ${replan.planned} planned, in ${replanMs} ms`,
      JSON.stringify(summary),
      '',
    ].join('\n'),
  );
  await db.close();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
