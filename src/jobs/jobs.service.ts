import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import cron, { ScheduledTask } from 'node-cron';
import { DataSource } from 'typeorm';

import { AssignmentLifecycleService } from '../assignments/assignment-lifecycle.service.js';
import { SessionsService } from '../auth/sessions/sessions.service.js';
import { PlanningService } from '../campaigns/planning.service.js';
import { WithdrawalsService } from '../campaigns/withdrawals.service.js';
import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { AppConfig } from '../config/app-config.js';
import { isDatabaseUnavailable } from '../database/connection-errors.js';
import { deleteStaleJobFailures } from '../database/job-failures.js';
import { DigestRunsService } from '../digests/digest-runs.service.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { OutboxSender } from '../mail/outbox-sender.js';
import { FollowUpService } from '../outcomes/follow-up.service.js';
import { SignInService } from '../signin/signin.service.js';
import { JobName, SCHEDULES } from './schedules.js';

/**
 * The scheduled jobs. Each is safe to run at any time, on any number of instances at once (rows
 * are claimed with FOR UPDATE SKIP LOCKED or guarded by unique keys), so a missed tick is simply
 * caught up by the next one. `ENABLE_JOBS=false` leaves an instance without them.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly tasks: ScheduledTask[] = [];
  private readonly jobs: Record<JobName, () => Promise<unknown>>;

  constructor(
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
    planning: PlanningService,
    assignments: AssignmentLifecycleService,
    outbox: OutboxSender,
    followUps: FollowUpService,
    digests: DigestRunsService,
    withdrawals: WithdrawalsService,
    idempotency: IdempotencyService,
    clock: Clock,
    @InjectDataSource() dataSource: DataSource,
    sessions: SessionsService,
    signIn: SignInService,
  ) {
    this.jobs = {
      plan: async () =>
        (await planning.planDue()).map((r) => ({
          campaignId: r.campaignId,
          planned: r.result.planned,
          unfilled: r.result.unfilled.length,
        })),
      // Each step first withdraws the tests whose tester may no longer act on them.
      reveal: async () => ({
        withdrawn: await withdrawals.withdrawIneligibleDue('reveal_job'),
        held: await assignments.holdDue(),
        revealed: await assignments.revealDue(),
      }),
      remindExpire: async () => ({
        withdrawn: await withdrawals.withdrawIneligibleDue('remind_job'),
        reminded: await assignments.remindDue(),
        missed: await assignments.expireDue(),
      }),
      followUp: async () => ({ asked: await followUps.askDue() }),
      digest: async () => ({ sent: await digests.sendDue() }),
      outbox: () => outbox.deliverDue(),
      cleanup: async () => ({
        idempotencyKeys: await idempotency.deleteExpired(clock.now()),
        jobFailures: await deleteStaleJobFailures(dataSource.manager, clock.now()),
        consoleSessions: await sessions.deleteEnded(),
        signInLinks: await signIn.deleteExpired(),
      }),
    };
  }

  /** Runs one job now (the cron tick, the CLI and tests all come through here). */
  async run(name: JobName): Promise<unknown> {
    const started = Date.now();
    try {
      const result = await this.jobs[name]();
      this.logger.debug({ job: name, result, ms: Date.now() - started }, 'job finished');
      return result;
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        // an outage, not a bug: the next tick finds from the database what is still due
        this.logger.warn(
          { job: name, code: (error as { code?: string }).code, reason: (error as Error).message },
          'job skipped: database unavailable',
        );
      } else {
        this.logger.error({ job: name, err: error }, 'job failed');
      }
      throw error;
    }
  }

  onApplicationBootstrap(): void {
    if (this.config.enableJobs) this.schedule();
  }

  /** Starts the cron ticks (at boot unless `ENABLE_JOBS=false`; the demo starts them after its replay). */
  schedule(): void {
    if (this.tasks.length) return;
    for (const name of Object.keys(SCHEDULES) as JobName[]) {
      this.tasks.push(
        cron.schedule(SCHEDULES[name], () => this.run(name).catch(() => undefined), {
          name: `groundtruth:${name}`,
          timezone: 'UTC',
          noOverlap: true,
        }),
      );
    }
    this.logger.info({ jobs: SCHEDULES }, 'jobs scheduled');
  }

  async onApplicationShutdown(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
  }
}
