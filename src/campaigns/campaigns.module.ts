import { Module } from '@nestjs/common';

import { AssignmentsModule } from '../assignments/assignments.module.js';
import { ClaimProgressRepository } from '../digests/claim-progress.repository.js';
import { MailModule } from '../mail/mail.module.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { CampaignsService } from './campaigns.service.js';
import { PlanChangesController } from './plan-changes.controller.js';
import { PlanChangesService } from './plan-changes.service.js';
import { PlanningService } from './planning.service.js';
import { SlotRefillService } from './slot-refill.service.js';
import { WithdrawalsService } from './withdrawals.service.js';

/** Campaigns and everything that books or frees testers under the organization's planning lock. */
@Module({
  imports: [AssignmentsModule, MailModule],
  controllers: [CampaignsController, PlanChangesController],
  providers: [
    ClaimProgressRepository,
    CampaignsRepository,
    CampaignsService,
    PlanningService,
    SlotRefillService,
    WithdrawalsService,
    PlanChangesService,
  ],
  exports: [CampaignsRepository, CampaignsService, PlanningService, WithdrawalsService, PlanChangesService],
})
export class CampaignsModule {}
