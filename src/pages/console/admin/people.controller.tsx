import { ConflictException, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, ConsoleUpload, CurrentConsole } from '../../../auth/console.guard.js';
import { ROLES } from '../../../auth/roles.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { CsvFormatError, CsvImportRejected } from '../../../common/csv/csv-import.js';
import type { CsvRowError } from '../../../common/csv/csv-import.js';
import type { Page } from '../../../common/pagination.js';
import { WEEKDAYS } from '../../../common/validation/domain.validators.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import { FieldValidationException } from '../../../common/validation/validation-errors.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { PeopleService } from '../../../people/people.service.js';
import { CreatePersonDto, PeopleQuery } from '../../../people/person.dto.js';
import type { Person } from '../../../people/person.entity.js';
import { AdminCrudRoutes, EditPages } from '../admin-routes.js';
import {
  EmptyState,
  ErrorSummary,
  Field,
  FileField,
  PagedTable,
  CsrfField,
  SelectField,
  CheckboxGroup,
  TextareaField,
} from '../components.js';
import { DeletePages } from '../confirm-delete.js';
import { ConsoleController } from '../console-routes.js';
import {
  CSV_FILE_FIELD,
  CSV_UPLOAD_LIMIT_TEXT,
  readCsvUpload,
  uploadedCsv,
  type UploadRequest,
} from '../csv-upload.js';
import { formFields, listOf } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import {
  dateRangesOf,
  DateRangeRows,
  RowInput,
  RowSelect,
  RowsTable,
  rowsOf,
  timeZoneOptions,
  WEEKDAY_LABELS,
  withSpareRows,
} from './admin-fields.js';

const ROLE_LABELS: Record<string, string> = {
  admin: 'Admin',
  quality: 'Quality',
  tester: 'Tester',
  owner: 'Touchpoint owner',
};
const roleOptions = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));
const dayOptions = WEEKDAYS.map((d) => ({ value: d, label: WEEKDAY_LABELS[d] }));

/** The person form as posted: what the DTO validates, and the rows to show again when it is refused. */
interface PersonForm {
  email: string;
  name: string;
  roles: string[];
  timezone: string;
  /** Blank: null, the default date format. */
  locale: string | null;
  workingHours: Record<string, string>[];
  leave: Record<string, string>[];
}

/** A posted person form, in the shape CreatePersonDto validates (hours and leave from their rows, not JSON). */
export function personFormOf(body: unknown): PersonForm {
  const fields = formFields(body);
  return {
    email: fields.email ?? '',
    name: fields.name ?? '',
    roles: listOf(body, 'roles'),
    timezone: fields.timezone ?? '',
    locale: fields.locale?.trim() || null,
    workingHours: rowsOf(fields, 'workingHours', ['day', 'start', 'end']),
    leave: dateRangesOf(fields, 'leave'),
  };
}

const formOfPerson = (p: Person): PersonForm => ({
  email: p.email,
  name: p.name,
  roles: p.roles,
  timezone: p.timezone,
  locale: p.locale,
  workingHours: p.workingHours.map((w) => ({ ...w })),
  leave: p.leave.map((l) => ({ ...l })),
});

const EMPTY_FORM: PersonForm = {
  email: '',
  name: '',
  roles: ['tester'],
  timezone: 'UTC',
  locale: null,
  workingHours: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
  leave: [],
};

/** A conflict the service found (email taken, the last admin) as the field it is about. */
function conflictAsField(error: ConflictException): FieldError {
  const message = error.message;
  const field = /admin/.test(message) ? 'roles' : 'email';
  return { field, rule: 'conflict', message };
}

function PersonFormFields(props: { form: PersonForm; errors: FieldError[] }) {
  const { form, errors } = props;
  const hours = withSpareRows(form.workingHours, 3);
  return (
    <>
      <Field name="name" label="Name" value={form.name} errors={errors} required />
      <Field name="email" label="Email" type="email" value={form.email} errors={errors} required />
      <CheckboxGroup name="roles" legend="Roles" options={roleOptions} checked={form.roles} errors={errors} />
      <SelectField
        name="timezone"
        label="Time zone"
        options={timeZoneOptions(form.timezone)}
        value={form.timezone}
        errors={errors}
        hint="Working hours and leave are in this zone."
      />
      <Field
        name="locale"
        label="Date format in mails (language tag)"
        value={form.locale ?? ''}
        errors={errors}
        hint="A BCP 47 tag such as en-GB, en-US or de-DE; blank for en-GB. Pages follow the reader's browser."
      />
      <RowsTable
        caption="Working hours"
        name="workingHours"
        headers={['Day', 'From', 'To']}
        errors={errors}
        hint="A row per span; several spans a day are fine. Clear a row's times to remove it."
      >
        {hours.map((h, i) => (
          <tr key={i}>
            <td>
              <RowSelect
                name={`workingHours[${i}].day`}
                label={`Working hours row ${i + 1}: day`}
                options={dayOptions}
                value={h.day}
                blank="—"
              />
            </td>
            <td>
              <RowInput
                name={`workingHours[${i}].start`}
                label={`Working hours row ${i + 1}: from`}
                type="time"
                value={h.start}
                errors={errors}
              />
            </td>
            <td>
              <RowInput
                name={`workingHours[${i}].end`}
                label={`Working hours row ${i + 1}: to`}
                type="text"
                value={h.end}
                errors={errors}
              />
            </td>
          </tr>
        ))}
      </RowsTable>
      <DateRangeRows
        name="leave"
        caption="Leave"
        hint="Days (inclusive) when no test is planned for them."
        rows={form.leave}
        errors={errors}
      />
    </>
  );
}

/**
 * People (admin): the list (search by name or email, filter by role), adding a person, editing one (roles, time
 * zone, working hours and leave as rows), and the CSV import with every bad row shown. All through PeopleService,
 * as /api/v1/people uses it.
 */
@ConsoleController('people')
export class PeoplePagesController extends AdminCrudRoutes {
  constructor(
    private readonly people: PeopleService,
    private readonly sessions: SessionsService,
  ) {
    super();
  }

  private readonly rows = {
    kind: 'person',
    path: '/people',
    nameOf: (person: Person) => person.name,
    read: (org: string, id: string) => this.people.get(org, id),
    flash: (session: CurrentSession, text: string) => this.sessions.flash(session.actor, text),
  };

  /** Adding and editing a person, through the API's service (which refuses a taken email or the last admin). */
  protected readonly edits = new EditPages<Person, PersonForm, CreatePersonDto>({
    ...this.rows,
    dto: CreatePersonDto,
    formOf: personFormOf,
    emptyForm: () => EMPTY_FORM,
    rowForm: formOfPerson,
    create: (session, value) => this.people.create(session.actor.organizationId, value),
    update: (session, id, value) => this.people.update(session.actor.organizationId, id, value, session.actor.personId),
    conflict: conflictAsField,
    send: (res, status, session, person, form, errors) => this.sendForm(res, status, session, person, form, errors),
  });

  /** Deleting a person: asked first, then through the API's service (which refuses one in use). */
  protected readonly deletes = new DeletePages<Person>({
    ...this.rows,
    effect:
      'They can no longer sign in, and their API keys and sessions end. Someone who owns a touchpoint or has tests on record is kept: give the touchpoints another owner, or take away the tester role instead.',
    remove: (org, id) => this.people.remove(org, id),
  });

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
    const kept: Record<string, string> = {};
    if (filter.q) kept.q = filter.q;
    if (filter.role) kept.role = filter.role;
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/people" title="People">
        <p>
          <a href="/people/new">Add a person</a> · <a href="/people/import">Import people from CSV</a>
        </p>
        <form method="get" action="/people" role="search" class="narrow">
          <Field name="q" label="Search by name or email" type="search" value={asked.q} errors={errors} />
          <SelectField
            name="role"
            label="Role"
            options={roleOptions}
            value={asked.role}
            errors={errors}
            blank="Any role"
          />
          <button type="submit">Search</button>
        </form>
        <PagedTable
          caption="People"
          base="/people"
          query={kept}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(p) => p.id}
          empty={
            <EmptyState title={filter.q || filter.role ? 'Nobody matches that search.' : 'No people yet.'}>
              <p>
                <a href="/people/new">Add a person</a> or <a href="/people/import">import a CSV</a>.
              </p>
            </EmptyState>
          }
          columns={[
            { header: 'Name', cell: (p) => <a href={`/people/${p.id}`}>{p.name}</a> },
            { header: 'Email', cell: (p) => p.email },
            { header: 'Roles', cell: (p) => p.roles.join(', ') },
            { header: 'Time zone', cell: (p) => p.timezone },
          ]}
        />
      </Layout>,
    );
  }

  @Get('import')
  @ConsolePage('admin')
  importForm(@CurrentConsole() session: CurrentSession, @Res() res: Response): void {
    this.sendImport(res, 200, session, '', null, []);
  }

  @Post('import')
  @ConsolePage('admin')
  @ConsoleUpload(readCsvUpload)
  async import(
    @CurrentConsole() session: CurrentSession,
    @Req() req: UploadRequest,
    @Res() res: Response,
  ): Promise<void> {
    const upload = uploadedCsv(req);
    const { csv } = upload;
    if ('refusal' in upload)
      return this.sendImport(res, upload.refusal.status, session, csv, upload.refusal.message, []);
    try {
      const { created, updated } = await this.people.importCsv(
        session.actor.organizationId,
        csv,
        session.actor.personId,
      );
      await this.sessions.flash(
        session.actor,
        `Imported: ${created.length} added, ${updated.length} already known by email and updated.`,
      );
      res.redirect(303, '/people');
    } catch (error) {
      if (error instanceof CsvImportRejected) {
        const rows = (error.getResponse() as { errors: CsvRowError[] }).errors;
        return this.sendImport(res, 400, session, csv, error.message, rows);
      }
      if (error instanceof CsvFormatError || error instanceof FieldValidationException)
        return this.sendImport(res, 400, session, csv, error.message, []);
      throw error;
    }
  }

  private sendForm(
    res: Response,
    status: number,
    session: CurrentSession,
    person: Person | null,
    form: PersonForm,
    errors: FieldError[],
  ): void {
    const action = person ? `/people/${person.id}` : '/people';
    sendPage(
      res,
      status,
      <Layout session={session} path={action} title={person ? `Edit ${person.name}` : 'Add a person'}>
        <ErrorSummary errors={errors} />
        <form method="post" action={action} novalidate>
          <CsrfField token={session.csrfToken} />
          <PersonFormFields form={form} errors={errors} />
          <button type="submit">{person ? 'Save' : 'Add person'}</button>
        </form>
        <p>
          <a href="/people">Back to people</a>
          {person && (
            <>
              {' '}
              · <a href={`/people/${person.id}/delete`}>Delete {person.name}…</a>
            </>
          )}
        </p>
      </Layout>,
    );
  }

  private sendImport(
    res: Response,
    status: number,
    session: CurrentSession,
    csv: string,
    message: string | null,
    rows: CsvRowError[],
  ): void {
    sendPage(
      res,
      status,
      <Layout session={session} path="/people/import" title="Import people from CSV">
        {message && (
          <div class="summary" role="alert">
            <p>
              <strong>{message}</strong>
            </p>
          </div>
        )}
        {rows.length > 0 && (
          <div class="table-wrap" role="region" aria-label="Rows with errors" tabindex={0}>
            <table>
              <caption>Rows with errors (nothing was imported)</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Line</th>
                  <th scope="col">Field</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.row}-${r.field}-${r.rule}`}>
                    <td>{r.row}</td>
                    <td>{r.line}</td>
                    <td>{r.field}</td>
                    <td>{r.rule}</td>
                    <td>{r.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          Columns: <code>email, name, roles, timezone</code>, and optionally <code>locale</code> (a tag such as{' '}
          <code>de-DE</code>), <code>workingHours</code> (<code>mon-fri 09:00-17:00; sat 10:00-13:00</code>) and{' '}
          <code>leave</code> (<code>2026-12-24..2027-01-02 holiday</code>). Roles are separated by <code>;</code>. A row
          whose email is already someone's updates that person; empty hours or leave keep theirs. All rows or none.
        </p>
        <form method="post" action="/people/import" enctype="multipart/form-data">
          <CsrfField token={session.csrfToken} />
          <FileField
            name={CSV_FILE_FIELD}
            label="A CSV file"
            accept=".csv,text/csv"
            hint={`Saved from a spreadsheet as CSV UTF-8, at most ${CSV_UPLOAD_LIMIT_TEXT}.`}
            error={message?.startsWith('file:') ? message : undefined}
          />
          <TextareaField
            name="csv"
            label="Or paste the CSV, with its header line"
            value={csv}
            rows={10}
            hint="Used when no file is chosen."
          />
          <button type="submit">Import</button>
        </form>
        <p>
          <a href="/people">Back to people</a>
        </p>
      </Layout>,
    );
  }
}
