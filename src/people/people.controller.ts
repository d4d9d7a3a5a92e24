import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, ForbiddenException } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';

import { hasRole, type Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { CSV_ROW_LIMIT_TEXT } from '../common/csv/csv-import.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { PeopleService } from './people.service.js';
import {
  CreatePersonDto,
  PeopleImportResult,
  PeopleQuery,
  PersonPage,
  PersonView,
  UpdatePersonDto,
} from './person.dto.js';

@ApiTags('people')
@ApiAuthenticated()
@Controller('api/v1/people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @ApiOperation({ summary: 'Create a person' })
  @Idempotent()
  @Roles('admin')
  @ApiCreatedResponse({ type: PersonView })
  @ApiConflictResponse({ description: 'The email already belongs to a person of this organization' })
  async create(@CurrentActor() me: Actor, @Body() dto: CreatePersonDto): Promise<PersonView> {
    return PersonView.of(await this.people.create(me.organizationId, dto));
  }

  @Post('import')
  @ApiOperation({ summary: 'Import people from CSV (all rows or none; known emails are updated)' })
  @Idempotent()
  @Roles('admin')
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'CSV with a header line. Columns: email, name, roles ("tester; owner"), timezone, locale (a BCP 47 tag such as de-DE, optional), workingHours ("mon-fri 09:00-17:00; sat 10:00-13:00"), leave ("2026-12-24..2027-01-02 holiday"). All rows or none. A row whose email is already a person\'s ' +
      'updates that person (empty locale, workingHours or leave cells keep theirs). ' +
      CSV_ROW_LIMIT_TEXT,
    schema: {
      type: 'string',
      example: 'email,name,roles,timezone,workingHours\nada@example.org,Ada,tester,Europe/London,mon-fri 09:00-17:00\n',
    },
  })
  @ApiCreatedResponse({ type: PeopleImportResult })
  async import(@CurrentActor() me: Actor, @Body() csv: string): Promise<PeopleImportResult> {
    const { created, updated } = await this.people.importCsv(me.organizationId, csv, me.personId);
    return {
      created: created.length,
      ids: created.map((p) => p.id),
      updated: updated.length,
      updatedIds: updated.map((p) => p.id),
    };
  }

  @Get()
  @ApiOperation({ summary: 'List people' })
  @Roles('admin')
  @ApiOkResponse({ type: PersonPage })
  async list(@CurrentActor() me: Actor, @Query() query: PeopleQuery): Promise<PersonPage> {
    const page = await this.people.list(me.organizationId, query);
    return { items: page.items.map(PersonView.of), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a person (admins: anyone; others: themselves)' })
  @Roles('admin', 'self')
  @ApiOkResponse({ type: PersonView })
  async get(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<PersonView> {
    if (!hasRole(me, 'admin') && me.personId !== id) throw new ForbiddenException('Only admins may read other people');
    return PersonView.of(await this.people.get(me.organizationId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a person' })
  @Roles('admin')
  @ApiConflictResponse({ description: 'Email taken, or the change would leave the organization without an admin' })
  @ApiOkResponse({ type: PersonView, description: 'Without the tester role, their tests are withdrawn at once' })
  async update(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @Body() dto: UpdatePersonDto,
  ): Promise<PersonView> {
    return PersonView.of(await this.people.update(me.organizationId, id, dto, me.personId));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a person' })
  @Roles('admin')
  @HttpCode(204)
  @ApiConflictResponse({ description: 'The person is the last admin or still owns touchpoints' })
  async remove(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.people.remove(me.organizationId, id);
  }
}
