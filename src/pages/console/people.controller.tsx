import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../auth/console.guard.js';
import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import type { Page } from '../../common/pagination.js';
import { validateDto } from '../../common/validation/validate-dto.js';
import { PeopleService } from '../../people/people.service.js';
import { PeopleQuery } from '../../people/person.dto.js';
import type { Person } from '../../people/person.entity.js';
import { EmptyState, Field, PagedTable } from './components.js';
import { ConsoleController } from './console-routes.js';
import { formFields } from './forms.js';
import { Layout, sendPage } from './layout.js';

/**
 * People (admin): the list, searchable, one page at a time, through PeopleService as GET /api/v1/people reads it.
 * The first feature page on the foundation; the editing pages of issue 14 item 2 extend it.
 */
@ConsoleController('people')
export class PeoplePagesController {
  constructor(private readonly people: PeopleService) {}

  @Get()
  @ConsolePage('admin')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const asked = formFields(query);
    const { value, errors } = await validateDto(PeopleQuery, asked);
    const filter = errors.length ? Object.assign(new PeopleQuery(), { q: undefined }) : value;
    const page: Page<Person> = await this.people.list(session.actor.organizationId, filter);
    const kept: Record<string, string> = filter.q ? { q: filter.q } : {};
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/people" title="People">
        <form method="get" action="/people" role="search" class="narrow">
          <Field name="q" label="Search by name or email" type="search" value={asked.q} errors={errors} />
          <button type="submit">Search</button>
        </form>
        <PagedTable
          caption="People"
          base="/people"
          query={kept}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(p) => p.id}
          empty={<EmptyState title={filter.q ? 'Nobody matches that search.' : 'No people yet.'} />}
          columns={[
            { header: 'Name', cell: (p) => p.name },
            { header: 'Email', cell: (p) => p.email },
            { header: 'Roles', cell: (p) => p.roles.join(', ') },
            { header: 'Time zone', cell: (p) => p.timezone },
          ]}
        />
      </Layout>,
    );
  }
}
