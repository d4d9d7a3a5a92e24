import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { TouchpointsController } from './touchpoints.controller.js';
import { TouchpointsService } from './touchpoints.service.js';

@Module({
  imports: [CampaignsModule],
  controllers: [TouchpointsController],
  providers: [TouchpointsService],
  exports: [TouchpointsService],
})
export class TouchpointsModule {}
