import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { AssignmentsController } from './assignments.controller.js';
import { AssignmentsService } from './assignments.service.js';
import { WithdrawalsService } from './withdrawals.service.js';

@Module({
  imports: [MailModule],
  controllers: [AssignmentsController],
  providers: [AssignmentsService, WithdrawalsService],
  exports: [AssignmentsService, WithdrawalsService],
})
export class AssignmentsModule {}
