import { Module } from '@nestjs/common';

import { ClaimProgressRepository } from '../digests/claim-progress.repository.js';
import { TouchpointsModule } from '../touchpoints/touchpoints.module.js';
import { ClaimsController } from './claims.controller.js';
import { ClaimsRepository } from './claims.repository.js';
import { ClaimsService } from './claims.service.js';

@Module({
  imports: [TouchpointsModule],
  controllers: [ClaimsController],
  providers: [ClaimsService, ClaimsRepository, ClaimProgressRepository],
  exports: [ClaimsService],
})
export class ClaimsModule {}
