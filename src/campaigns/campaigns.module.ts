import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsService } from './campaigns.service.js';
import { PlanningService } from './planning.service.js';

@Module({
  imports: [AssignmentsModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, PlanningService],
  exports: [CampaignsService, PlanningService],
})
export class CampaignsModule {}
