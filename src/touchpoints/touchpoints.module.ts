import { Module } from '@nestjs/common';
import { TouchpointsController } from './touchpoints.controller.js';
import { TouchpointsService } from './touchpoints.service.js';

@Module({ controllers: [TouchpointsController], providers: [TouchpointsService], exports: [TouchpointsService] })
export class TouchpointsModule {}
