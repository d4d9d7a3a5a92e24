import { performance } from 'node:perf_hooks';
import { WithdrawalsService } from '../src/assignments/withdrawals.service.js';
import { CampaignsService } from '../src/campaigns/campaigns.service.js';
import { PlanningService } from '../src/campaigns/planning.service.js';
import { ManualClock } from '../src/common/clock.js';
import { createLogger } from '../src/common/logging/logger.js';
import { OutboxService } from '../src/mail/outbox.service.js';
import { benchDatabase, machine, peakRss } from './support.js';

/**
 * bench:plan — plans 1, 2 and 4 weeks for 5,000 touchpoints × 2,000 testers at 2 contacts a week
 * (10k, 20k and 40k assignments), each in an organization of its own, and persists them through
 * the same PlanningService the API uses (one transaction per call). Prints seconds per size.
 */
const TOUCHPOINTS = Number(process.env.BENCH_TOUCHPOINTS ?? 5_000);
const TESTERS = Number(process.env.BENCH_TESTERS ?? 2_000);
const ZONES = ['Europe/London', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];

async function main() {
  const db = await benchDatabase();
  const { dataSource } = db;
  const clock = new ManualClock('2027-02-26T12:00:00Z');
  const logger = createLogger('warn');
  const planning = new PlanningService(dataSource, clock, logger);
  const withdrawals = new WithdrawalsService(dataSource, clock, new OutboxService(dataSource, clock), logger);
  const campaigns = new CampaignsService(dataSource, withdrawals);
  const results: Array<{ weeks: number; assignments: number; unfilled: number; seconds: number; perSecond: number }> = [];
  const rss = peakRss();

  for (const weeks of (process.env.BENCH_WEEKS ?? '1,2,4').split(',').map(Number)) {
    const [{ id: orgId }] = await dataSource.query(`INSERT INTO organization (name) VALUES ($1) RETURNING id`, [`bench ${weeks}w`]);
    await dataSource.query(
      `INSERT INTO person (organization_id, email, name, roles, timezone, working_hours)
       SELECT $1, 'tester' || i || '@bench.example', 'Tester ' || i, ARRAY['tester'], ($2::text[])[1 + i % 4],
              '[{"day":"mon","start":"08:00","end":"18:00"},{"day":"tue","start":"08:00","end":"18:00"},{"day":"wed","start":"08:00","end":"18:00"},{"day":"thu","start":"08:00","end":"18:00"},{"day":"fri","start":"08:00","end":"18:00"}]'
         FROM generate_series(1, $3) AS i`,
      [orgId, ZONES, TESTERS],
    );
    await dataSource.query(
      `INSERT INTO touchpoint (organization_id, name, channel, contact, timezone, opening_hours, team)
       SELECT $1, 'Branch ' || i, 'phone', '+44 20 7946 ' || lpad(i::text, 4, '0'), ($2::text[])[1 + i % 4],
              '[{"day":"mon","open":"08:00","close":"18:00"},{"day":"tue","open":"08:00","close":"18:00"},{"day":"wed","open":"08:00","close":"18:00"},{"day":"thu","open":"08:00","close":"18:00"},{"day":"fri","open":"08:00","close":"18:00"},{"day":"sat","open":"09:00","close":"13:00"}]',
              'bench'
         FROM generate_series(1, $3) AS i`,
      [orgId, ZONES, TOUCHPOINTS],
    );
    const testerIds = (await dataSource.query(`SELECT id FROM person WHERE organization_id = $1`, [orgId])).map((r: { id: string }) => r.id);
    const campaign = await campaigns.create(orgId, {
      name: `bench ${weeks} weeks`,
      team: 'bench',
      testerIds,
      contactsPerTouchpointPerWeek: 2,
      windowMinutes: 60,
      revealLeadMinutes: 120,
      minSpacingHours: 24,
      testerWeeklyCap: 6,
      rotationDays: 28,
      startsOn: '2027-03-01',
    });
    const to = new Date(Date.parse('2027-03-01') + (weeks * 7 - 1) * 86_400_000).toISOString().slice(0, 10);
    const started = performance.now();
    const result = await planning.planPeriod(orgId, campaign.id, '2027-03-01', to);
    const seconds = (performance.now() - started) / 1000;
    results.push({ weeks, assignments: result.planned, unfilled: result.unfilled.length, seconds: Number(seconds.toFixed(2)), perSecond: Math.round(result.planned / seconds) });
    process.stdout.write(`planned ${result.planned} assignments (${weeks} week(s), ${result.unfilled.length} unfilled) in ${seconds.toFixed(2)} s\n`);
  }
  const peak = rss.stop();
  const summary = { benchmark: 'plan', machine: machine(), postgres: db.serverVersion, touchpoints: TOUCHPOINTS, testers: TESTERS, results, peakRssMiB: Math.round(peak / 2 ** 20) };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  await db.close();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
