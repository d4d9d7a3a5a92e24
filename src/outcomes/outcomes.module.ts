import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { FollowUpService } from './follow-up.service.js';
import { OutcomesController } from './outcomes.controller.js';
import { OutcomesService } from './outcomes.service.js';

@Module({
  imports: [MailModule, AssignmentsModule, CampaignsModule, LinksModule],
  controllers: [OutcomesController],
  providers: [OutcomesService, FollowUpService],
  exports: [OutcomesService, FollowUpService],
})
export class OutcomesModule {}
