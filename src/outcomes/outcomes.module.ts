import { Module } from '@nestjs/common';

import { AssignmentsModule } from '../assignments/assignments.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ScenariosModule } from '../scenarios/scenarios.module.js';
import { CasesController } from './cases.controller.js';
import { CasesRepository } from './cases.repository.js';
import { CasesService } from './cases.service.js';
import { FollowUpService } from './follow-up.service.js';
import { OutcomesController } from './outcomes.controller.js';
import { OutcomesRepository } from './outcomes.repository.js';
import { OutcomesService } from './outcomes.service.js';

@Module({
  imports: [MailModule, AssignmentsModule, CampaignsModule, LinksModule, ScenariosModule],
  controllers: [OutcomesController, CasesController],
  providers: [OutcomesService, OutcomesRepository, FollowUpService, CasesService, CasesRepository],
  exports: [OutcomesService, OutcomesRepository, FollowUpService, CasesService],
})
export class OutcomesModule {}
