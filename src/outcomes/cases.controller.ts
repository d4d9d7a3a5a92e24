import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { FieldValidationException } from '../common/validation/validation-errors.js';
import { CaseContactDto, CaseView, GiveUpCaseDto } from './case.dto.js';
import { CasesService } from './cases.service.js';

const seqPipe = new ParseIntPipe({
  exceptionFactory: () =>
    new FieldValidationException([{ field: 'seq', rule: 'isInt', message: 'seq must be a whole number (2 or more)' }]),
});

@ApiTags('cases')
@ApiAuthenticated()
@Controller('api/v1/outcomes/:id/case')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @ApiOperation({ summary: 'Read the case a test opened: its contacts so far and where it stands' })
  @Roles('admin', 'quality', 'tester')
  @ApiOkResponse({ type: CaseView, description: 'Admin and quality: any case; a tester: their own' })
  get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<CaseView> {
    return this.cases.get(me, id);
  }

  @Post('contacts')
  @ApiOperation({ summary: 'Record the next contact of your open case (a callback, a chase, a visit again)' })
  @Roles('tester')
  @ApiCreatedResponse({ type: CaseView, description: 'The case with the new contact' })
  @ApiConflictResponse({ description: 'The case is already resolved or given up' })
  addContact(@CurrentActor() me: Actor, @UuidParam('id') id: string, @Body() dto: CaseContactDto): Promise<CaseView> {
    return this.cases.addContact(me, id, dto);
  }

  @Put('contacts/:seq')
  @ApiOperation({ summary: 'Edit a later contact of your case, within 48 hours of its first save' })
  @Roles('tester')
  @ApiOkResponse({ type: CaseView })
  @ApiConflictResponse({ description: 'The 48 hours to edit this contact have passed' })
  editContact(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Param('seq', seqPipe) seq: number,
    @Body() dto: CaseContactDto,
  ): Promise<CaseView> {
    return this.cases.editContact(me, id, seq, dto);
  }

  @Post('give-up')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop following your open case: it ends unresolved (given up), now' })
  @Roles('tester')
  @ApiOkResponse({ type: CaseView })
  @ApiConflictResponse({ description: 'The case is already resolved or given up' })
  giveUp(@CurrentActor() me: Actor, @UuidParam('id') id: string, @Body() dto: GiveUpCaseDto): Promise<CaseView> {
    return this.cases.giveUp(me, id, dto.notes ?? null);
  }
}
