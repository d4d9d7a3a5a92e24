import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { DigestBuilder } from './digest-builder.service.js';
import { DigestRunsService } from './digest-runs.service.js';
import { DigestSubscriptionsController } from './digest-subscriptions.controller.js';
import { DigestSubscriptionsService } from './digest-subscriptions.service.js';
import { DigestsController } from './digests.controller.js';

@Module({
  imports: [MailModule],
  controllers: [DigestSubscriptionsController, DigestsController],
  providers: [DigestBuilder, DigestSubscriptionsService, DigestRunsService],
  exports: [DigestBuilder, DigestSubscriptionsService, DigestRunsService],
})
export class DigestsModule {}
