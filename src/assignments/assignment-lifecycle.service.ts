import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { Clock } from '../common/clock.js';
import { LOGGER } from '../common/common.module.js';
import type { AppLogger } from '../common/logging/logger.js';
import { processClaimedBatches } from '../database/claimed-batches.js';
import { testerLinkExpiry } from '../links/link-kinds.js';
import { SecretLinks } from '../links/secret-links.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { holdMail, reminderMail, revealMail } from './assignment-mails.js';
import { AssignmentsRepository, DueClaim, MailContextRow } from './assignments.repository.js';

/**
 * The lifecycle's jobs: calendar holds, reveals (with the tester's link), reminders, and missed tests.
 * Each works through what is due (see processClaimedBatches); the decline and the withdrawals that
 * re-plan a slot live with planning (src/campaigns), the recording of an outcome with the outcomes.
 */
@Injectable()
export class AssignmentLifecycleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly links: SecretLinks,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** A fresh single-purpose link for the tester of one assignment. */
  private async issueLink(manager: EntityManager, ctx: MailContextRow): Promise<string> {
    const expiresAt = testerLinkExpiry(ctx.windowEnd, ctx.graceMinutes);
    const target = { organizationId: ctx.organizationId, targetId: ctx.assignmentId, expiresAt };
    return (await this.links.issueOne(manager, 'tester', target)).url;
  }

  /** Claims due assignments and sends each its mail (see processClaimedBatches). */
  private claimAndMail(
    due: DueClaim,
    each: (manager: EntityManager, ctx: MailContextRow) => Promise<void>,
  ): Promise<number> {
    return processClaimedBatches(
      { dataSource: this.dataSource, clock: this.clock, logger: this.logger },
      {
        ...due,
        load: (manager, ids) => this.assignments.mailContexts(manager, ids),
        idOf: (ctx) => ctx.assignmentId,
        each,
      },
    );
  }

  /**
   * Before revealing: a planned test whose window has already begun (the service was down) must not
   * go out. It is cancelled and its slot recorded unfilled with the reason. (Tests whose tester may
   * no longer act on them are withdrawn before each step: WithdrawalsService.withdrawIneligibleDue.)
   */
  releaseUnrevealable(): Promise<number> {
    return this.assignments.releaseUnrevealable(this.clock.now());
  }

  /**
   * Reveals every assignment whose reveal time has come and whose tester may still act on it:
   * status, a fresh link, and the reveal mail.
   */
  async revealDue(): Promise<number> {
    await this.releaseUnrevealable();
    return this.claimAndMail(this.assignments.revealClaim(), async (manager, ctx) => {
      const link = await this.issueLink(manager, ctx);
      await this.outbox.enqueue(manager, revealMail({ ...ctx, link }));
    });
  }

  /** Sends calendar holds that are due (planned assignments only; a hold says nothing of where or what). */
  holdDue(): Promise<number> {
    return this.claimAndMail(this.assignments.holdClaim(), async (manager, ctx) => {
      await this.outbox.enqueue(manager, holdMail(ctx));
    });
  }

  /** Reminds testers whose window closes soon, who have recorded nothing yet and may still act on the test. */
  remindDue(): Promise<number> {
    return this.claimAndMail(this.assignments.remindClaim(), async (manager, ctx) => {
      const link = await this.issueLink(manager, ctx);
      await this.outbox.enqueue(manager, reminderMail({ ...ctx, link }));
    });
  }

  /** Window end + grace passed without an outcome: missed (AssignmentsRepository.expireDue). */
  expireDue(): Promise<number> {
    return this.assignments.expireDue(this.clock.now());
  }
}
