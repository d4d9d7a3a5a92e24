import { Module } from '@nestjs/common';

import { PeopleModule } from '../people/people.module.js';
import { TouchpointsController } from './touchpoints.controller.js';
import { TouchpointsRepository } from './touchpoints.repository.js';
import { TouchpointsService } from './touchpoints.service.js';

@Module({
  imports: [PeopleModule],
  controllers: [TouchpointsController],
  providers: [TouchpointsService, TouchpointsRepository],
  exports: [TouchpointsService, TouchpointsRepository],
})
export class TouchpointsModule {}
