import { DynamicModule, Global, Module } from '@nestjs/common';

import { AppConfig } from '../config/app-config.js';
import { Clock } from './clock.js';
import type { AppLogger } from './logging/logger.js';

export const LOGGER = Symbol('LOGGER');

/** The outside things every feature may need: settings, the clock, the logger. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: AppConfig, clock: Clock, logger: AppLogger): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [AppConfig, Clock, LOGGER],
    };
  }
}
