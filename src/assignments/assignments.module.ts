import { Module } from '@nestjs/common';

import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { AssignmentLifecycleService } from './assignment-lifecycle.service.js';
import { AssignmentVisibilityService } from './assignment-visibility.service.js';
import { AssignmentsController } from './assignments.controller.js';
import { AssignmentsRepository } from './assignments.repository.js';

@Module({
  imports: [MailModule, LinksModule],
  controllers: [AssignmentsController],
  providers: [AssignmentsRepository, AssignmentVisibilityService, AssignmentLifecycleService],
  exports: [AssignmentsRepository, AssignmentVisibilityService, AssignmentLifecycleService],
})
export class AssignmentsModule {}
