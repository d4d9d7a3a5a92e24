import { Module } from '@nestjs/common';

import { MailTransport } from './mail-transport.js';
import { OutboxSender } from './outbox-sender.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';

/** The outbox: mail written with the change that caused it, delivered by the sender. */
@Module({
  controllers: [OutboxController],
  providers: [OutboxService, OutboxRepository, OutboxSender, MailTransport],
  exports: [OutboxService, OutboxSender, MailTransport],
})
export class MailModule {}
