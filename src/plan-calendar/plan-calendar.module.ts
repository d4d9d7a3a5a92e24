import { Module } from '@nestjs/common';

import { PlanCalendarController } from './plan-calendar.controller.js';
import { PlanCalendarRepository } from './plan-calendar.repository.js';
import { PlanCalendarService } from './plan-calendar.service.js';

/** The plan calendar (admin and quality): the weeks ahead per touchpoint and tester, and the unfilled slots. */
@Module({
  controllers: [PlanCalendarController],
  providers: [PlanCalendarService, PlanCalendarRepository],
  exports: [PlanCalendarService],
})
export class PlanCalendarModule {}
