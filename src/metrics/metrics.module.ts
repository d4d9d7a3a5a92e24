import { Module } from '@nestjs/common';

import { OrganizationsModule } from '../organizations/organizations.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';
import { OrganizationSettingsController } from './verdict-settings.controller.js';
import { VerdictSettingsService } from './verdict-settings.service.js';

@Module({
  imports: [OrganizationsModule],
  controllers: [MetricsController, OrganizationSettingsController],
  providers: [MetricsService, MetricsRepository, VerdictSettingsService],
  exports: [MetricsService, VerdictSettingsService],
})
export class MetricsModule {}
