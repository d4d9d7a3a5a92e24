import { Module } from '@nestjs/common';

import { AssignmentsModule } from '../assignments/assignments.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { LinksModule } from '../links/links.module.js';
import { OutcomesModule } from '../outcomes/outcomes.module.js';
import { FollowUpPagesController } from './follow-up-pages.controller.js';
import { LinkEvidenceUploadInterceptor } from './link-evidence-upload.interceptor.js';
import { TesterLinkService } from './tester-link.service.js';
import { TesterPagesController } from './tester-pages.controller.js';

@Module({
  imports: [OutcomesModule, EvidenceModule, AssignmentsModule, CampaignsModule, LinksModule],
  controllers: [TesterPagesController, FollowUpPagesController],
  providers: [TesterLinkService, LinkEvidenceUploadInterceptor],
})
export class PagesModule {}
