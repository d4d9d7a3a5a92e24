import type { DataSource } from 'typeorm';

import { AssignmentLifecycleService } from '../src/assignments/assignment-lifecycle.service.js';
import { AssignmentsRepository } from '../src/assignments/assignments.repository.js';
import { CampaignsRepository } from '../src/campaigns/campaigns.repository.js';
import { CampaignsService } from '../src/campaigns/campaigns.service.js';
import { PlanningService } from '../src/campaigns/planning.service.js';
import { SlotRefillService } from '../src/campaigns/slot-refill.service.js';
import { WithdrawalsService } from '../src/campaigns/withdrawals.service.js';
import type { Clock } from '../src/common/clock.js';
import type { AppLogger } from '../src/common/logging/logger.js';
import type { AppConfig } from '../src/config/app-config.js';
import { ClaimProgressRepository } from '../src/digests/claim-progress.repository.js';
import { SecretLinksRepository } from '../src/links/secret-links.repository.js';
import { SecretLinks } from '../src/links/secret-links.service.js';
import { OutboxRepository } from '../src/mail/outbox.repository.js';
import { OutboxService } from '../src/mail/outbox.service.js';
/** The planning services wired as the app wires them, on a bench database; given a config, the lifecycle's jobs too. */
export function planningServices(dataSource: DataSource, clock: Clock, logger: AppLogger, config?: AppConfig) {
  const outbox = new OutboxService(new OutboxRepository(dataSource), clock);
  const assignmentsRepository = new AssignmentsRepository(dataSource);
  const campaignsRepository = new CampaignsRepository(dataSource);
  const refills = new SlotRefillService(campaignsRepository, assignmentsRepository);
  const withdrawals = new WithdrawalsService(
    dataSource,
    assignmentsRepository,
    campaignsRepository,
    refills,
    clock,
    outbox,
    logger,
  );
  const planning = new PlanningService(
    dataSource,
    campaignsRepository,
    assignmentsRepository,
    withdrawals,
    new ClaimProgressRepository(dataSource),
    clock,
    logger,
  );
  const campaigns = new CampaignsService(dataSource, campaignsRepository, assignmentsRepository, withdrawals);
  const links = config && new SecretLinks(new SecretLinksRepository(dataSource), clock, config);
  const lifecycle =
    links && new AssignmentLifecycleService(dataSource, assignmentsRepository, clock, outbox, links, logger);
  return { withdrawals, planning, campaigns, lifecycle };
}
