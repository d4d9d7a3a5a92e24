import { Module } from '@nestjs/common';

import { AssignmentsModule } from '../assignments/assignments.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { DigestsModule } from '../digests/digests.module.js';
import { MailModule } from '../mail/mail.module.js';
import { OutcomesModule } from '../outcomes/outcomes.module.js';
import { SignInModule } from '../signin/signin.module.js';
import { JobsService } from './jobs.service.js';

@Module({
  imports: [AuthModule, CampaignsModule, AssignmentsModule, MailModule, OutcomesModule, DigestsModule, SignInModule],
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
