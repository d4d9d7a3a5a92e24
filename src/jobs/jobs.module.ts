import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { MailModule } from '../mail/mail.module.js';
import { OutcomesModule } from '../outcomes/outcomes.module.js';
import { DigestsModule } from '../digests/digests.module.js';
import { JobsService } from './jobs.service.js';

@Module({
  imports: [CampaignsModule, AssignmentsModule, MailModule, OutcomesModule, DigestsModule],
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
