import { Module } from '@nestjs/common';
import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { AssignmentsController } from './assignments.controller.js';
import { AssignmentsRepository } from './assignments.repository.js';
import { AssignmentsService } from './assignments.service.js';
import { WithdrawalsService } from './withdrawals.service.js';

@Module({
  imports: [MailModule, LinksModule],
  controllers: [AssignmentsController],
  providers: [AssignmentsService, WithdrawalsService, AssignmentsRepository],
  exports: [AssignmentsService, WithdrawalsService, AssignmentsRepository],
})
export class AssignmentsModule {}
