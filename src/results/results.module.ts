import { Module } from '@nestjs/common';

import { DigestsModule } from '../digests/digests.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { TouchpointsModule } from '../touchpoints/touchpoints.module.js';
import { ResultsController } from './results.controller.js';
import { ResultsRepository } from './results.repository.js';
import { ResultsService } from './results.service.js';

/** Results per touchpoint and team over the weeks, built on the digest's evidence and verdicts. */
@Module({
  imports: [DigestsModule, MetricsModule, TouchpointsModule],
  controllers: [ResultsController],
  providers: [ResultsService, ResultsRepository],
  exports: [ResultsService],
})
export class ResultsModule {}
