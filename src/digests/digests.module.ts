import { Module } from '@nestjs/common';
import { DigestBuilder } from './digest-builder.service.js';
import { DigestSubscriptionsController } from './digest-subscriptions.controller.js';
import { DigestSubscriptionsService } from './digest-subscriptions.service.js';

@Module({ controllers: [DigestSubscriptionsController], providers: [DigestBuilder, DigestSubscriptionsService], exports: [DigestBuilder, DigestSubscriptionsService] })
export class DigestsModule {}
