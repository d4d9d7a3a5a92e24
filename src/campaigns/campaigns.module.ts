import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsService } from './campaigns.service.js';
import { PlanningService } from './planning.service.js';

@Module({ controllers: [CampaignsController], providers: [CampaignsService, PlanningService], exports: [CampaignsService, PlanningService] })
export class CampaignsModule {}
