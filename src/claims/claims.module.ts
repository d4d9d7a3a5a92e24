import { Module } from '@nestjs/common';

import { TouchpointsModule } from '../touchpoints/touchpoints.module.js';
import { ClaimsController } from './claims.controller.js';
import { ClaimsRepository } from './claims.repository.js';
import { ClaimsService } from './claims.service.js';

@Module({
  imports: [TouchpointsModule],
  controllers: [ClaimsController],
  providers: [ClaimsService, ClaimsRepository],
  exports: [ClaimsService],
})
export class ClaimsModule {}
