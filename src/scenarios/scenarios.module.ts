import { Module } from '@nestjs/common';

import { ScenariosController } from './scenarios.controller.js';
import { ScenariosRepository } from './scenarios.repository.js';
import { ScenariosService } from './scenarios.service.js';

@Module({
  controllers: [ScenariosController],
  providers: [ScenariosService, ScenariosRepository],
  exports: [ScenariosService, ScenariosRepository],
})
export class ScenariosModule {}
