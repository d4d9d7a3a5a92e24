import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module.js';
import { TouchpointsController } from './touchpoints.controller.js';
import { TouchpointsService } from './touchpoints.service.js';

@Module({
  imports: [AssignmentsModule],
  controllers: [TouchpointsController],
  providers: [TouchpointsService],
  exports: [TouchpointsService],
})
export class TouchpointsModule {}
