import { Body, ForbiddenException, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DateTime } from 'luxon';

import type { AssignmentRow } from '../../../assignments/assignment-visibility.service.js';
import { AssignmentVisibilityService } from '../../../assignments/assignment-visibility.service.js';
import { AssignmentsQuery } from '../../../assignments/assignment.dto.js';
import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { ClaimsQuery, UpdateClaimDto } from '../../../claims/claim.dto.js';
import type { Claim } from '../../../claims/claim.entity.js';
import { ClaimsService } from '../../../claims/claims.service.js';
import { formatDuration } from '../../../common/durations.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import { FieldValidationException } from '../../../common/validation/validation-errors.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { DigestPagesService } from '../../../digests/digest-pages.service.js';
import { DigestRunsService } from '../../../digests/digest-runs.service.js';
import type { NamedRun } from '../../../digests/digests.repository.js';
import { METRICS } from '../../../metrics/metric-catalogue.js';
import { TouchpointsQuery } from '../../../touchpoints/touchpoint.dto.js';
import type { Touchpoint } from '../../../touchpoints/touchpoint.entity.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import { CsrfField, EmptyState, ErrorSummary, Field, PagedTable } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields, pagingOf } from '../forms.js';
import { Layout, sendPage } from '../layout.js';

/** An owner rarely owns more; the page says so if they do. */
const OWNED_SHOWN = 100;

const day = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).setLocale('en-GB').toFormat('ccc d LLL yyyy');

/** A claim's value in its metric's unit: a rate as a percentage, a wait as minutes:seconds. */
export function claimValue(c: Pick<Claim, 'metric' | 'value'>): string {
  const unit = METRICS.find((m) => m.key === c.metric)?.unit;
  if (unit === 'rate') return `${Math.round(c.value * 1000) / 10} %`;
  if (unit === 'seconds') return formatDuration(Math.round(c.value));
  return String(c.value);
}

/** The sub-pages of "My touchpoints", as links (the current one marked). */
/** Narrows a list to one of the owner's touchpoints (shown only when they own more than one). */
function TouchpointPicker(props: {
  action: string;
  touchpoints: Array<{ id: string; name: string }>;
  chosen?: string;
}) {
  if (props.touchpoints.length < 2) return null;
  return (
    <form method="get" action={props.action} class="narrow">
      <label for="touchpointId">Touchpoint</label>
      <select id="touchpointId" name="touchpointId">
        <option value="">All of yours</option>
        {props.touchpoints.map((tp) => (
          <option value={tp.id} selected={tp.id === props.chosen} key={tp.id}>
            {tp.name}
          </option>
        ))}
      </select>
      <button type="submit">Show</button>
    </form>
  );
}

function Tabs(props: { current: string }) {
  const tabs = [
    ['/my/touchpoints', 'Touchpoints and completed tests'],
    ['/my/touchpoints/claims', 'Claims'],
    ['/my/touchpoints/digests', 'Digests sent to me'],
  ];
  return (
    <nav aria-label="My touchpoints">
      <ul class="tabs">
        {tabs.map(([href, label]) => (
          <li key={href}>
            <a href={href} aria-current={props.current === href ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * "My touchpoints" (owner): the touchpoints they own, the completed tests of them the API shows an owner
 * (AssignmentVisibilityService: completed and a week old, never who tested, never a planned or revealed one), and
 * the claims of their touchpoints (ClaimsService: theirs editable as PATCH /api/v1/claims/:id allows). Each
 * touchpoint links to its results page. Nothing here reads anything an owner could not read through the API.
 */
@ConsoleController('my/touchpoints')
export class MyTouchpointsController {
  constructor(
    private readonly touchpoints: TouchpointsService,
    private readonly visibility: AssignmentVisibilityService,
    private readonly claims: ClaimsService,
    private readonly sessions: SessionsService,
    private readonly runs: DigestRunsService,
    private readonly digestPages: DigestPagesService,
  ) {}

  @Get('digests')
  @ConsolePage('owner')
  async digests(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const paging = await pagingOf(query, 20);
    const runs = await this.runs.sentToMe(session.actor, paging);
    sendPage(
      res,
      200,
      <Layout session={session} path="/my/touchpoints" title="Digests sent to me">
        <Tabs current="/my/touchpoints/digests" />
        <p class="hint">Each digest opens here a week after the period it reports, as it does through its mail.</p>
        <PagedTable<NamedRun>
          caption="Digests sent to me"
          base="/my/touchpoints/digests"
          page={runs}
          paging={paging}
          rowKey={(r) => r.id}
          empty={<EmptyState title="No digest sent to you yet." />}
          columns={[
            {
              header: 'Digest',
              cell: (r) => <a href={`/my/touchpoints/digests/${r.id}`}>{r.subscriptionName}</a>,
            },
            { header: 'Period', cell: (r) => `${day(r.periodStart, 'UTC')} – ${day(r.periodEnd, 'UTC')}` },
          ]}
        />
      </Layout>,
    );
  }

  /** The digest's own page (its one stored rendering), once GET /api/v1/digests/:runId would let them read it. */
  @Get('digests/:runId')
  @ConsolePage('owner')
  async digest(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('runId') runId: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.runs.get(session.actor, runId);
    const page = await this.digestPages.page(runId);
    res.status(200).setHeader('Cache-Control', 'no-store').type('html').send(page.html);
  }

  /** The touchpoints the caller owns, as GET /api/v1/touchpoints lists them for an owner (one access path). */
  private owned(session: CurrentSession) {
    const query = Object.assign(new TouchpointsQuery(), { limit: OWNED_SHOWN, offset: 0 });
    return this.touchpoints.listFor(session.actor, query);
  }

  @Get()
  @ConsolePage('owner')
  async overview(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const owned = await this.owned(session);
    const paging = await pagingOf(query, 20);
    const asked = formFields(query).touchpointId;
    const touchpointId = owned.items.find((tp) => tp.id === asked)?.id;
    const tests = await this.visibility.list(
      session.actor,
      Object.assign(new AssignmentsQuery(), {
        status: 'completed',
        ...(touchpointId ? { touchpointId } : {}),
        ...paging,
      }),
    );
    sendPage(
      res,
      200,
      <Layout session={session} path="/my/touchpoints" title="My touchpoints">
        <Tabs current="/my/touchpoints" />
        <PagedTable<Touchpoint>
          caption="Touchpoints you own"
          base="/my/touchpoints"
          page={owned}
          paging={{ limit: OWNED_SHOWN, offset: 0 }}
          rowKey={(tp) => tp.id}
          empty={<EmptyState title="You own no touchpoint yet." />}
          columns={[
            { header: 'Touchpoint', cell: (tp) => tp.name },
            { header: 'Channel', cell: (tp) => tp.channel },
            { header: 'Team', cell: (tp) => tp.team ?? '—' },
            {
              header: 'Results',
              cell: (tp) => (
                <a href={`/results/touchpoints/${tp.id}`} aria-label={`Results of ${tp.name}`}>
                  Results
                </a>
              ),
            },
          ]}
        />
        <p class="hint">
          A test shows here a week after it was made, without who made it: sooner, it would tell when the next one
          cannot be.
        </p>
        <TouchpointPicker action="/my/touchpoints" touchpoints={owned.items} chosen={touchpointId} />
        <PagedTable<AssignmentRow>
          caption="Completed tests"
          base="/my/touchpoints"
          query={touchpointId ? { touchpointId } : {}}
          page={tests}
          paging={paging}
          rowKey={(a) => a.id}
          empty={<EmptyState title="No completed test to show yet." />}
          columns={[
            { header: 'Touchpoint', cell: (a) => a.touchpoint.name },
            { header: 'Channel', cell: (a) => a.touchpoint.channel },
            { header: 'Day', cell: (a) => day(a.windowStart, a.touchpoint.timezone) },
            { header: 'Scenario', cell: (a) => a.scenario?.title ?? 'An ordinary enquiry' },
            {
              header: 'Results',
              cell: (a) => (
                <a href={`/results/touchpoints/${a.touchpointId}`} aria-label={`Results of ${a.touchpoint.name}`}>
                  Results
                </a>
              ),
            },
          ]}
        />
      </Layout>,
    );
  }

  @Get('claims')
  @ConsolePage('owner')
  async claimList(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const owned = await this.owned(session);
    const paging = await pagingOf(query, 20);
    const asked = formFields(query).touchpointId;
    const touchpointId = owned.items.find((tp) => tp.id === asked)?.id;
    const claims = await this.claims.list(
      session.actor,
      Object.assign(new ClaimsQuery(), { ...(touchpointId ? { touchpointId } : {}), ...paging }),
    );
    const names = new Map(owned.items.map((tp) => [tp.id, tp.name]));
    sendPage(
      res,
      200,
      <Layout session={session} path="/my/touchpoints" title="Claims of my touchpoints">
        <Tabs current="/my/touchpoints/claims" />
        <TouchpointPicker action="/my/touchpoints/claims" touchpoints={owned.items} chosen={touchpointId} />
        <PagedTable<Claim>
          caption="Claims"
          base="/my/touchpoints/claims"
          query={touchpointId ? { touchpointId } : {}}
          page={claims}
          paging={paging}
          rowKey={(c) => c.id}
          empty={<EmptyState title="No claim of your touchpoints yet." />}
          columns={[
            { header: 'Touchpoint', cell: (c) => (c.touchpointId ? (names.get(c.touchpointId) ?? '—') : '—') },
            { header: 'Metric', cell: (c) => c.metric },
            { header: 'Period', cell: (c) => `${c.periodStart} – ${c.periodEnd}` },
            { header: 'Value', cell: claimValue },
            { header: 'Said in', cell: (c) => c.source },
            {
              header: 'Change',
              cell: (c) =>
                c.reportedBy === session.actor.personId ? (
                  <a href={`/my/touchpoints/claims/${c.id}`} aria-label={`Change the claim said in ${c.source}`}>
                    Change
                  </a>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </Layout>,
    );
  }

  private claimPage(session: CurrentSession, claim: Claim, values: Record<string, string>, errors: FieldError[]) {
    return (
      <Layout session={session} path="/my/touchpoints" title="Change a claim">
        <p>
          <a href="/my/touchpoints/claims">All claims</a>
        </p>
        <p>
          {claim.metric}, said in {claim.source}
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action={`/my/touchpoints/claims/${claim.id}`} class="narrow" noValidate>
          <CsrfField token={session.csrfToken} />
          <Field
            name="value"
            label="Value"
            hint="Rates as fractions 0–1 (96 % is 0.96), times in seconds, ratings 1–5"
            value={values.value}
            errors={errors}
            required
          />
          <Field name="periodStart" label="Period from" type="date" value={values.periodStart} errors={errors} />
          <Field name="periodEnd" label="Period to" type="date" value={values.periodEnd} errors={errors} />
          <Field name="source" label="Said in (the meeting)" value={values.source} errors={errors} required />
          <button type="submit">Save</button>
        </form>
      </Layout>
    );
  }

  @Get('claims/:id')
  @ConsolePage('owner')
  async claimForm(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const claim = await this.claims.get(session.actor, id);
    const values = {
      value: String(claim.value),
      periodStart: claim.periodStart,
      periodEnd: claim.periodEnd,
      source: claim.source,
    };
    sendPage(res, 200, this.claimPage(session, claim, values, []));
  }

  @Post('claims/:id')
  @ConsolePage('owner')
  async claimSave(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const claim = await this.claims.get(session.actor, id);
    const values = formFields(body);
    const plain: Record<string, unknown> = {};
    for (const key of ['periodStart', 'periodEnd', 'source'] as const)
      if (values[key] !== undefined) plain[key] = values[key];
    // the metric rides along so the value is checked against its unit, as the API checks it
    plain.metric = claim.metric;
    if (values.value !== undefined) plain.value = values.value.trim() === '' ? undefined : Number(values.value);
    const { value: dto, errors } = await validateDto(UpdateClaimDto, plain);
    if (errors.length) return sendPage(res, 400, this.claimPage(session, claim, values, errors));
    try {
      await this.claims.update(session.actor, id, dto);
    } catch (error) {
      if (error instanceof FieldValidationException)
        return sendPage(res, 400, this.claimPage(session, claim, values, error.errors));
      if (error instanceof ForbiddenException) {
        const message = (error.getResponse() as { message: string }).message;
        const refusal = [{ field: 'claim', rule: 'ownerChange', message }];
        return sendPage(res, 403, this.claimPage(session, claim, values, refusal));
      }
      throw error;
    }
    await this.sessions.flash(session.actor, 'The claim is changed; its history keeps what it was.');
    res.redirect(303, '/my/touchpoints/claims');
  }
}
