import { Module } from '@nestjs/common';

import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PeopleModule } from '../people/people.module.js';
import { TouchpointsModule } from '../touchpoints/touchpoints.module.js';
import { ClaimProgressRepository } from './claim-progress.repository.js';
import { DigestBuilder } from './digest-builder.service.js';
import { DigestEvidenceRepository } from './digest-evidence.repository.js';
import { DigestLinksService } from './digest-links.service.js';
import { DigestPagesService } from './digest-pages.service.js';
import { DigestRunsService } from './digest-runs.service.js';
import { DigestSubscriptionsController } from './digest-subscriptions.controller.js';
import { DigestSubscriptionsService } from './digest-subscriptions.service.js';
import { DigestsController } from './digests.controller.js';
import { DigestsRepository } from './digests.repository.js';
import { RecipientDigests } from './recipient-digest.service.js';
import { UnclaimedRepository } from './unclaimed.repository.js';
import { UnclaimedFacts } from './unclaimed.service.js';

@Module({
  imports: [MailModule, LinksModule, MetricsModule, PeopleModule, TouchpointsModule],
  controllers: [DigestSubscriptionsController, DigestsController],
  providers: [
    ClaimProgressRepository,
    DigestBuilder,
    DigestEvidenceRepository,
    UnclaimedRepository,
    UnclaimedFacts,
    DigestsRepository,
    DigestSubscriptionsService,
    DigestRunsService,
    DigestLinksService,
    DigestPagesService,
    RecipientDigests,
  ],
  exports: [
    DigestBuilder,
    DigestEvidenceRepository,
    DigestSubscriptionsService,
    DigestRunsService,
    DigestLinksService,
    DigestPagesService,
  ],
})
export class DigestsModule {}
