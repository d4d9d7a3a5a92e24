import { Body, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DateTime } from 'luxon';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService, type CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { MAX_PAGE_SIZE } from '../../../common/pagination.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { DigestPagesService } from '../../../digests/digest-pages.service.js';
import {
  CreateDigestSubscriptionDto,
  PreviewQuery,
  UpdateDigestSubscriptionDto,
} from '../../../digests/digest-subscription.dto.js';
import type { DigestSubscription } from '../../../digests/digest-subscription.entity.js';
import { DigestSubscriptionsService } from '../../../digests/digest-subscriptions.service.js';
import { PeopleService } from '../../../people/people.service.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import {
  CsrfField,
  EmptyState,
  ErrorSummary,
  Field,
  PagedTable,
  PostButton,
  SelectField,
  CheckboxGroup,
  TextareaField,
} from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields, pagingOf, listOf, fieldErrorsOf, postForm, type FormPage } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { numberOrText, teamChoices } from './form-parts.js';
import { touchpointChoices, touchpointsById } from './quality-parts.js';

/** The subscription form as typed: text fields, the ticked people and touchpoints, the typed addresses. */
export interface SubscriptionForm {
  name?: string;
  people: string[];
  emails?: string;
  touchpointIds: string[];
  team?: string;
  cron?: string;
  timezone?: string;
  periodDays?: string;
  minContacts?: string;
}

/** A posted form, as the page reads it back. */
export function subscriptionFormOf(body: unknown): SubscriptionForm {
  const f = formFields(body);
  return {
    ...f,
    people: listOf(body, 'people'),
    touchpointIds: listOf(body, 'touchpointIds'),
  };
}

/** Addresses typed one a line (or separated by commas or spaces). */
const addressesOf = (text: string | undefined) => (text ?? '').split(/[\s,;]+/).filter(Boolean);

/**
 * The form as the API's body: recipients are the ticked people's ids and the typed addresses; an empty team is
 * none (null, so a change clears it); no touchpoint ticked is none ([]); numbers as numbers.
 */
export function subscriptionBody(form: SubscriptionForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: form.name ?? '',
    recipients: [...addressesOf(form.emails), ...form.people],
    touchpointIds: form.touchpointIds,
    team: form.team || null,
    cron: form.cron ?? '',
    timezone: form.timezone ?? '',
  };
  const periodDays = numberOrText(form.periodDays);
  const minContacts = numberOrText(form.minContacts);
  if (periodDays !== undefined) body.periodDays = periodDays;
  if (minContacts !== undefined) body.minContacts = minContacts;
  return body;
}

function formOf(s: DigestSubscription): SubscriptionForm {
  return {
    name: s.name,
    people: s.recipientPersonIds,
    emails: s.recipientEmails.join('\n'),
    touchpointIds: s.touchpointIds,
    team: s.team ?? '',
    cron: s.cron,
    timezone: s.timezone,
    periodDays: String(s.periodDays),
    minContacts: String(s.minContacts),
  };
}

/** The zones a subscription may run in, for its picker. */
function zones(): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  return all.includes('UTC') ? all : ['UTC', ...all];
}

/**
 * Digest subscriptions (admin, quality): who receives which digest, for what scope, when; create, change and
 * delete them, and open each one's runs in the archive, all through DigestSubscriptionsService as
 * /api/v1/digest-subscriptions reads and writes them.
 */
@ConsoleController('digests/subscriptions')
export class SubscriptionsPagesController {
  constructor(
    private readonly subscriptions: DigestSubscriptionsService,
    private readonly touchpoints: TouchpointsService,
    private readonly people: PeopleService,
    private readonly sessions: SessionsService,
    private readonly pages: DigestPagesService,
  ) {}

  /** The subscription form: read as the API's body, shown again with the API's field errors. */
  private readonly page: FormPage<DigestSubscription, SubscriptionForm> = {
    formOf: subscriptionFormOf,
    plainOf: subscriptionBody,
    send: (res, status, session, sub, form, errors) =>
      this.form(session, res, status, { sub: sub ?? undefined, form, errors }),
    flash: (session, text) => this.sessions.flash(session.actor, text),
  };

  @Get()
  @ConsolePage('admin', 'quality')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    const paging = await pagingOf(query);
    const page = await this.subscriptions.list(me.organizationId, paging);
    const tps = await touchpointsById(
      this.touchpoints,
      me,
      page.items.flatMap((s) => s.touchpointIds),
    );
    const names = await this.personNames(
      me.organizationId,
      page.items.flatMap((s) => s.recipientPersonIds),
    );
    const scope = (s: DigestSubscription) =>
      s.touchpointIds.length
        ? s.touchpointIds.map((id) => tps.get(id)?.name ?? 'a touchpoint since removed').join(', ')
        : s.team
          ? `Team ${s.team}`
          : 'The whole organisation';
    sendPage(
      res,
      200,
      <Layout session={session} path="/digests" title="Digest subscriptions">
        <p>
          <a href="/digests">Back to the digests sent</a> · <a href="/digests/subscriptions/new">Add a subscription</a>
        </p>
        <PagedTable<DigestSubscription>
          caption="Digest subscriptions"
          base="/digests/subscriptions"
          page={page}
          paging={paging}
          rowKey={(s) => s.id}
          empty={
            <EmptyState title="No digest goes out yet.">
              <p>
                <a href="/digests/subscriptions/new">Add a subscription</a>.
              </p>
            </EmptyState>
          }
          columns={[
            { header: 'Digest', cell: (s) => <a href={`/digests/subscriptions/${s.id}/edit`}>{s.name}</a> },
            {
              header: 'Recipients',
              cell: (s) =>
                [
                  ...s.recipientPersonIds.map((id) => names.get(id) ?? 'someone since removed'),
                  ...s.recipientEmails,
                ].join(', '),
            },
            { header: 'Scope', cell: scope },
            { header: 'Schedule', cell: (s) => `${s.cron} (${s.timezone})` },
            { header: 'Covers', cell: (s) => `${s.periodDays} days, verdicts from ${s.minContacts} contacts` },
            {
              header: 'Digests',
              cell: (s) => (
                <>
                  <a href={`/digests?subscriptionId=${s.id}`} aria-label={`Digests sent: ${s.name}`}>
                    Digests sent
                  </a>{' '}
                  ·{' '}
                  <a href={`/digests/subscriptions/${s.id}/preview`} aria-label={`Preview the next digest: ${s.name}`}>
                    Preview the next
                  </a>
                </>
              ),
            },
          ]}
        />
      </Layout>,
    );
  }

  /** The names of people of the organization, by id (each read through PeopleService). */
  private async personNames(organizationId: string, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids))
      await this.people.get(organizationId, id).then(
        (p) => out.set(id, p.name),
        () => undefined,
      );
    return out;
  }

  /** The subscription form (new or change), with the API's field errors beside their fields. */
  private async form(
    session: CurrentSession,
    res: Response,
    status: number,
    opts: { sub?: DigestSubscription; form: SubscriptionForm; errors: FieldError[] },
  ): Promise<void> {
    const me = session.actor;
    const [tps, people] = await Promise.all([
      touchpointChoices(this.touchpoints, me),
      this.people.list(me.organizationId, { limit: MAX_PAGE_SIZE, offset: 0 }),
    ]);
    const { sub, form, errors } = opts;
    // touchpoints beyond the first page stay ticked: saving never drops them unasked
    const listed = new Set(tps.items.map((t) => t.id));
    tps.items.push(
      ...(
        await touchpointsById(
          this.touchpoints,
          me,
          form.touchpointIds.filter((id) => !listed.has(id)),
        )
      ).values(),
    );
    const picked = new Set(people.items.map((p) => p.id));
    // a recipient beyond the first page of people stays ticked: it is kept as it was
    const others = form.people.filter((id) => !picked.has(id));
    const otherNames = await this.personNames(me.organizationId, others);
    const personChoices = [
      ...people.items.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` })),
      ...others.map((id) => ({ value: id, label: otherNames.get(id) ?? 'someone since removed' })),
    ];
    sendPage(
      res,
      status,
      <Layout session={session} path="/digests" title={sub ? `Change ${sub.name}` : 'Add a digest subscription'}>
        <p>
          <a href="/digests/subscriptions">Back to the subscriptions</a>
          {sub && (
            <>
              {' '}
              · <a href={`/digests?subscriptionId=${sub.id}`}>Its digests sent</a>
            </>
          )}
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action={sub ? `/digests/subscriptions/${sub.id}` : '/digests/subscriptions'} novalidate>
          <CsrfField token={session.csrfToken} />
          <div class="narrow">
            <Field name="name" label="Name" value={form.name} errors={errors} />
          </div>
          <CheckboxGroup
            name="people"
            legend="Recipients: people"
            options={personChoices}
            checked={form.people}
            errors={errors.filter((e) => e.field === 'recipients').map((e) => ({ ...e, field: 'people' }))}
            hint={people.total > people.items.length ? `The first ${people.items.length} people by name.` : undefined}
          />
          <div class="narrow">
            <TextareaField
              name="emails"
              label="Recipients: other addresses"
              value={form.emails}
              rows={4}
              hint="Email addresses of readers who are not people here, one a line."
            />
          </div>
          <CheckboxGroup
            name="touchpointIds"
            legend="Touchpoints"
            options={tps.items.map((t) => ({ value: t.id, label: `${t.name} (${t.channel})` }))}
            checked={form.touchpointIds}
            errors={errors}
            hint="The digest covers these touchpoints; with none ticked, the team below, else the whole organisation."
            empty="No touchpoints yet."
          />
          <div class="narrow">
            <SelectField
              name="team"
              label="Team"
              blank="None"
              value={form.team}
              errors={errors}
              options={teamChoices(tps.items, form.team)}
            />
            <Field
              name="cron"
              label="Schedule"
              value={form.cron}
              errors={errors}
              hint={
                'A cron expression of 5 fields: "0 8 * * 1" is Mondays at 08:00, "0 8 1 * *" the 1st of each month.'
              }
            />
            <SelectField
              name="timezone"
              label="Time zone of the schedule"
              blank="Choose a time zone"
              value={form.timezone}
              errors={errors}
              options={zones().map((z) => ({ value: z, label: z }))}
            />
            <Field
              name="periodDays"
              label="Days each digest covers"
              type="number"
              value={form.periodDays}
              errors={errors}
              hint="From 1 to 92; 7 when left empty."
            />
            <Field
              name="minContacts"
              label="Fewest contacts for a verdict"
              type="number"
              value={form.minContacts}
              errors={errors}
              hint='Below this, a verdict is "too few contacts"; 5 when left empty.'
            />
          </div>
          <button type="submit">{sub ? 'Save the change' : 'Add the subscription'}</button>
        </form>
        {sub && (
          <>
            <h2>Delete this subscription</h2>
            <p>No more digests go out for it, and the digests it sent leave the archive with it.</p>
            <PostButton
              action={`/digests/subscriptions/${sub.id}/delete`}
              csrf={session.csrfToken}
              label="Delete the subscription"
            />
          </>
        )}
      </Layout>,
    );
  }

  @Get('new')
  @ConsolePage('admin', 'quality')
  async create(@CurrentConsole() session: CurrentSession, @Res() res: Response): Promise<void> {
    const form: SubscriptionForm = { people: [], touchpointIds: [], cron: '0 8 * * 1', periodDays: '7' };
    await this.form(session, res, 200, { form: { ...form, minContacts: '5', timezone: 'UTC' }, errors: [] });
  }

  @Post()
  @ConsolePage('admin', 'quality')
  async add(@CurrentConsole() session: CurrentSession, @Body() body: unknown, @Res() res: Response): Promise<void> {
    await postForm(this.page, session, res, body, null, {
      dto: CreateDigestSubscriptionDto,
      save: (value) => this.subscriptions.create(session.actor.organizationId, value),
      done: (sub) => ({ flash: `The digest ${sub.name} is added.`, next: '/digests/subscriptions' }),
    });
  }

  @Get(':id/edit')
  @ConsolePage('admin', 'quality')
  async edit(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const sub = await this.subscriptions.get(session.actor.organizationId, id);
    await this.form(session, res, 200, { sub, form: formOf(sub), errors: [] });
  }

  @Post(':id')
  @ConsolePage('admin', 'quality')
  async update(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const org = session.actor.organizationId;
    const sub = await this.subscriptions.get(org, id);
    await postForm(this.page, session, res, body, sub, {
      dto: UpdateDigestSubscriptionDto,
      save: (value) => this.subscriptions.update(org, id, value),
      done: () => ({ flash: `The digest ${sub.name} is changed.`, next: '/digests/subscriptions' }),
    });
  }

  @Post(':id/delete')
  @ConsolePage('admin', 'quality')
  async remove(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const sub = await this.subscriptions.get(session.actor.organizationId, id);
    await this.subscriptions.remove(session.actor.organizationId, id);
    await this.sessions.flash(session.actor, `The digest ${sub.name} is deleted, with the digests it sent.`);
    res.redirect(303, '/digests/subscriptions');
  }

  /**
   * What the subscription's next digest would hold (or that of another period), computed now from the contacts
   * recorded so far, nothing sent or stored: the period form, the next digest's period filled in.
   */
  @Get(':id/preview')
  @ConsolePage('admin', 'quality')
  async preview(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const org = session.actor.organizationId;
    const sub = await this.subscriptions.get(org, id);
    const next = await this.subscriptions.nextPeriod(org, id);
    const inZone = (d: Date) => DateTime.fromJSDate(d, { zone: sub.timezone }).toISO({ suppressMilliseconds: true })!;
    this.previewForm(session, res, 200, sub, { periodStart: inZone(next.start), periodEnd: inZone(next.end) }, []);
  }

  /** The preview as the digest's web page renders it (the same rendering its readers get), for the period asked. */
  @Get(':id/preview/page')
  @ConsolePage('admin', 'quality')
  async previewPage(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const org = session.actor.organizationId;
    const sub = await this.subscriptions.get(org, id);
    const asked = formFields(query);
    const { value, errors } = await validateDto(PreviewQuery, asked);
    if (errors.length) return this.previewForm(session, res, 400, sub, asked, errors);
    let payload;
    try {
      payload = await this.subscriptions.preview(org, id, value.periodStart, value.periodEnd);
    } catch (e) {
      const fieldErrors = fieldErrorsOf(e);
      if (!fieldErrors) throw e;
      return this.previewForm(session, res, 400, sub, asked, fieldErrors);
    }
    const page = await this.pages.render(payload, sub.name, sub.timezone);
    res.status(200).setHeader('Cache-Control', 'no-store').type('html').send(page.html);
  }

  private previewForm(
    session: CurrentSession,
    res: Response,
    status: number,
    sub: DigestSubscription,
    period: Record<string, string | undefined>,
    errors: FieldError[],
  ): void {
    const action = `/digests/subscriptions/${sub.id}/preview/page`;
    sendPage(
      res,
      status,
      <Layout session={session} path="/digests" title={`Preview: ${sub.name}`}>
        <p>
          <a href="/digests/subscriptions">Back to the subscriptions</a>
        </p>
        <p>
          The digest is computed now from the contacts recorded so far, as its readers' page shows it; nothing is sent
          or kept. A claim whose period runs past now is in progress. The period below is the next digest's ({sub.cron}{' '}
          in {sub.timezone}, {sub.periodDays} days).
        </p>
        <ErrorSummary errors={errors} />
        <form method="get" action={action} class="narrow">
          <Field
            name="periodStart"
            label="Period start"
            value={period.periodStart}
            errors={errors}
            hint={`A date (midnight in ${sub.timezone}) or a date and time with its offset.`}
          />
          <Field
            name="periodEnd"
            label="Period end (not included)"
            value={period.periodEnd}
            errors={errors}
            hint={`Empty: ${sub.periodDays} days after the start.`}
          />
          <button type="submit">Show the preview</button>
        </form>
      </Layout>,
    );
  }
}
