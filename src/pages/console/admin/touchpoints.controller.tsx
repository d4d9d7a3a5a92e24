import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { WEEKDAYS } from '../../../common/validation/domain.validators.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { PeopleService } from '../../../people/people.service.js';
import { PeopleQuery } from '../../../people/person.dto.js';
import { CreateTouchpointDto, TouchpointsQuery } from '../../../touchpoints/touchpoint.dto.js';
import { CHANNELS } from '../../../touchpoints/touchpoint.entity.js';
import type { Touchpoint } from '../../../touchpoints/touchpoint.entity.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import { AdminCrudRoutes, EditPages } from '../admin-routes.js';
import { CsrfField, EmptyState, ErrorSummary, Field, PagedTable, SelectField } from '../components.js';
import { DeletePages } from '../confirm-delete.js';
import { ConsoleController } from '../console-routes.js';
import { formFields } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import {
  dateRangesOf,
  DateRangeRows,
  everyItem,
  RowInput,
  RowsTable,
  rowsOf,
  timeZoneOptions,
  WEEKDAY_LABELS,
} from './admin-fields.js';
import type { Option } from './admin-fields.js';

export const CHANNEL_LABELS: Record<string, string> = {
  phone: 'Phone',
  chat: 'Chat',
  email: 'Email',
  in_person: 'In person',
  web_form: 'Web form',
  social: 'Social',
};
export const channelOptions: Option[] = CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }));

interface TouchpointForm {
  name: string;
  channel: string;
  contact: string;
  timezone: string;
  team: string;
  ownerId: string;
  openingHours: Record<string, string>[];
  closures: Record<string, string>[];
}

/** A posted touchpoint form: the week grid's spans (a blank span dropped), closures as rows, the owner picked. */
export function touchpointFormOf(body: unknown): TouchpointForm {
  const fields = formFields(body);
  return {
    name: fields.name ?? '',
    channel: fields.channel ?? '',
    contact: fields.contact ?? '',
    timezone: fields.timezone ?? '',
    team: (fields.team ?? '').trim(),
    ownerId: fields.ownerId ?? '',
    // each span row carries its weekday in a hidden field: blank only when both times are
    openingHours: rowsOf(fields, 'openingHours', ['day', 'open', 'close']).filter((r) => r.open || r.close),
    closures: dateRangesOf(fields, 'closures'),
  };
}

/** The form as the DTO takes it: no team or owner is null (cleared), not "". */
const dtoPlainOf = (form: TouchpointForm) => ({ ...form, team: form.team || null, ownerId: form.ownerId || null });

const formOf = (t: Touchpoint): TouchpointForm => ({
  name: t.name,
  channel: t.channel,
  contact: t.contact,
  timezone: t.timezone,
  team: t.team ?? '',
  ownerId: t.ownerId ?? '',
  openingHours: t.openingHours.map((o) => ({ ...o })),
  closures: t.closures.map((c) => ({ ...c })),
});

const EMPTY_FORM: TouchpointForm = {
  name: '',
  channel: 'phone',
  contact: '',
  timezone: 'UTC',
  team: '',
  ownerId: '',
  openingHours: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open: '09:00', close: '17:00' })),
  closures: [],
};

/**
 * The week grid: a row group per weekday, one row per opening span (several a day) and a spare blank span. Span
 * inputs are numbered in the order posted, so the API's `openingHours[i].close` errors land beside their span.
 */
function WeekGrid(props: { spans: Record<string, string>[]; errors: FieldError[] }) {
  const { spans, errors } = props;
  const indexed = spans.map((span, index) => ({ span, index }));
  let spare = spans.length;
  return (
    <RowsTable
      caption="Opening hours"
      name="openingHours"
      headers={['Day', 'Opens', 'Closes']}
      errors={errors}
      hint="Times in the touchpoint's zone, HH:MM; 24:00 for midnight. Each day has a spare row for another span; clear both times to remove one."
    >
      {WEEKDAYS.flatMap((day) => {
        const rows = [
          ...indexed.filter((r) => r.span.day === day),
          { span: { day } as Record<string, string>, index: spare++ },
        ];
        return rows.map(({ span, index }, n) => (
          <tr key={`${day}-${index}`}>
            {n === 0 ? (
              <th scope="row" rowSpan={rows.length}>
                {WEEKDAY_LABELS[day]}
              </th>
            ) : null}
            <td>
              <input type="hidden" name={`openingHours[${index}].day`} value={day} />
              <RowInput
                name={`openingHours[${index}].open`}
                label={`${WEEKDAY_LABELS[day]} span ${n + 1}: opens`}
                value={span.open}
                errors={errors}
              />
            </td>
            <td>
              <RowInput
                name={`openingHours[${index}].close`}
                label={`${WEEKDAY_LABELS[day]} span ${n + 1}: closes`}
                value={span.close}
                errors={errors}
              />
            </td>
          </tr>
        ));
      })}
    </RowsTable>
  );
}

/**
 * Touchpoints (admin): the list (search by name or contact; filter by channel, team, owner), adding one and
 * editing one (opening hours as a week grid, closures as rows, the owner picked by name), through
 * TouchpointsService as /api/v1/touchpoints uses it.
 */
@ConsoleController('touchpoints')
export class TouchpointPagesController extends AdminCrudRoutes {
  constructor(
    private readonly touchpoints: TouchpointsService,
    private readonly people: PeopleService,
    private readonly sessions: SessionsService,
  ) {
    super();
  }

  private readonly rows = {
    kind: 'touchpoint',
    path: '/touchpoints',
    nameOf: (touchpoint: Touchpoint) => touchpoint.name,
    read: (org: string, id: string) => this.touchpoints.get(org, id),
    flash: (session: CurrentSession, text: string) => this.sessions.flash(session.actor, text),
  };

  /** Adding and editing a touchpoint, through the API's service. */
  protected readonly edits = new EditPages<Touchpoint, TouchpointForm, CreateTouchpointDto>({
    ...this.rows,
    dto: CreateTouchpointDto,
    formOf: touchpointFormOf,
    plainOf: dtoPlainOf,
    emptyForm: () => EMPTY_FORM,
    rowForm: formOf,
    create: (session, value) => this.touchpoints.create(session.actor.organizationId, value),
    update: (session, id, value) =>
      this.touchpoints.update(session.actor.organizationId, id, value, session.actor.personId),
    conflict: (error) => ({ field: 'ownerId', rule: 'conflict', message: error.message }),
    send: (res, status, session, touchpoint, form, errors) =>
      this.sendForm(res, status, session, touchpoint, form, errors),
  });

  /** Deleting a touchpoint: asked first, then through the API's service (which refuses one in use). */
  protected readonly deletes = new DeletePages<Touchpoint>({
    ...this.rows,
    effect: 'Its claims go with it. A touchpoint with tests on record is kept for their history.',
    remove: (org, id) => this.touchpoints.remove(org, id),
  });

  /** The people who may own a touchpoint (the owner role), by name, for the picker and the list. */
  private async owners(session: CurrentSession): Promise<Option[]> {
    const owners = await everyItem((paging) =>
      this.people.list(session.actor.organizationId, Object.assign(new PeopleQuery(), { ...paging, role: 'owner' })),
    );
    return owners.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` }));
  }

  @Get()
  @ConsolePage('admin')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const asked = formFields(query);
    const { value, errors } = await validateDto(TouchpointsQuery, asked);
    const filter = errors.length ? new TouchpointsQuery() : value;
    const page = await this.touchpoints.list(session.actor.organizationId, filter);
    const owners = await this.owners(session);
    const ownerName = new Map(owners.map((o) => [o.value, o.label]));
    const kept: Record<string, string> = {};
    for (const key of ['q', 'channel', 'team', 'ownerId'] as const) if (filter[key]) kept[key] = String(filter[key]);
    const filtered = Object.keys(kept).length > 0;
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/touchpoints" title="Touchpoints">
        <p>
          <a href="/touchpoints/new">Add a touchpoint</a>
        </p>
        <form method="get" action="/touchpoints" role="search" class="narrow">
          <Field name="q" label="Search by name or contact" type="search" value={asked.q} errors={errors} />
          <SelectField
            name="channel"
            label="Channel"
            options={channelOptions}
            value={asked.channel}
            errors={errors}
            blank="Any channel"
          />
          <Field name="team" label="Team" value={asked.team} errors={errors} />
          <SelectField
            name="ownerId"
            label="Owner"
            options={owners}
            value={asked.ownerId}
            errors={errors}
            blank="Any owner"
          />
          <button type="submit">Search</button>
        </form>
        <PagedTable
          caption="Touchpoints"
          base="/touchpoints"
          query={kept}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(tp) => tp.id}
          empty={
            <EmptyState title={filtered ? 'No touchpoint matches that search.' : 'No touchpoints yet.'}>
              <p>
                <a href="/touchpoints/new">Add a touchpoint</a>.
              </p>
            </EmptyState>
          }
          columns={[
            { header: 'Name', cell: (tp) => <a href={`/touchpoints/${tp.id}`}>{tp.name}</a> },
            { header: 'Channel', cell: (tp) => CHANNEL_LABELS[tp.channel] },
            { header: 'Contact', cell: (tp) => tp.contact },
            { header: 'Team', cell: (tp) => tp.team ?? '—' },
            { header: 'Owner', cell: (tp) => (tp.ownerId ? (ownerName.get(tp.ownerId) ?? 'Not an owner now') : '—') },
          ]}
        />
      </Layout>,
    );
  }

  private async sendForm(
    res: Response,
    status: number,
    session: CurrentSession,
    touchpoint: Touchpoint | null,
    form: TouchpointForm,
    errors: FieldError[],
  ): Promise<void> {
    const owners = await this.owners(session);
    // an owner who has since lost the role stays picked (else saving would clear them unasked)
    if (form.ownerId && !owners.some((o) => o.value === form.ownerId)) {
      const kept = await this.people.get(session.actor.organizationId, form.ownerId).catch(() => null);
      if (kept) owners.unshift({ value: kept.id, label: `${kept.name} (${kept.email}; no owner role now)` });
    }
    const action = touchpoint ? `/touchpoints/${touchpoint.id}` : '/touchpoints';
    sendPage(
      res,
      status,
      <Layout session={session} path={action} title={touchpoint ? `Edit ${touchpoint.name}` : 'Add a touchpoint'}>
        <ErrorSummary errors={errors} />
        <form method="post" action={action} novalidate>
          <CsrfField token={session.csrfToken} />
          <Field name="name" label="Name" value={form.name} errors={errors} required />
          <SelectField name="channel" label="Channel" options={channelOptions} value={form.channel} errors={errors} />
          <Field
            name="contact"
            label="Contact"
            value={form.contact}
            errors={errors}
            hint="What a tester uses: a phone number, a URL, a street address or a mailbox, by channel."
          />
          <SelectField
            name="timezone"
            label="Time zone"
            options={timeZoneOptions(form.timezone)}
            value={form.timezone}
            errors={errors}
          />
          <Field name="team" label="Team" value={form.team} errors={errors} hint="Optional; campaigns pick by team." />
          <SelectField
            name="ownerId"
            label="Owner"
            options={owners}
            value={form.ownerId}
            errors={errors}
            blank="No owner"
            hint="People with the owner role."
          />
          <WeekGrid spans={form.openingHours} errors={errors} />
          <DateRangeRows
            name="closures"
            caption="Closures"
            hint="Days (inclusive) it is closed: never tested then."
            rows={form.closures}
            errors={errors}
          />
          <button type="submit">{touchpoint ? 'Save' : 'Add touchpoint'}</button>
        </form>
        <p>
          <a href="/touchpoints">Back to touchpoints</a>
          {touchpoint && (
            <>
              {' '}
              · <a href={`/touchpoints/${touchpoint.id}/delete`}>Delete {touchpoint.name}…</a>
            </>
          )}
        </p>
      </Layout>,
    );
  }
}
