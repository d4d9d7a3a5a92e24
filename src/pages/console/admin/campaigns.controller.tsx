import { BadRequestException, Body, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { CAMPAIGN_LIMITS } from '../../../campaigns/campaign-limits.js';
import { CampaignsQuery, CreateCampaignDto, DEFAULTS, PlanPeriodDto } from '../../../campaigns/campaign.dto.js';
import type { Campaign } from '../../../campaigns/campaign.entity.js';
import { CampaignsService } from '../../../campaigns/campaigns.service.js';
import { PlanningService } from '../../../campaigns/planning.service.js';
import type { PlanResult } from '../../../campaigns/planning.service.js';
import { Clock } from '../../../common/clock.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import { PeopleService } from '../../../people/people.service.js';
import { PeopleQuery } from '../../../people/person.dto.js';
import { ScenariosQuery } from '../../../scenarios/scenario.dto.js';
import { ScenariosService } from '../../../scenarios/scenarios.service.js';
import { TouchpointsQuery } from '../../../touchpoints/touchpoint.dto.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import { AdminCrudRoutes, EditPages } from '../admin-routes.js';
import { CsrfField, EmptyState, ErrorSummary, Field, PagedTable, SelectField, CheckboxGroup } from '../components.js';
import { DeletePages } from '../confirm-delete.js';
import { ConsoleController } from '../console-routes.js';
import { formFields, rowOr404, listOf } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { everyItem } from './admin-fields.js';
import type { Option } from './admin-fields.js';
import { CHANNEL_LABELS, channelOptions } from './touchpoints.controller.js';

/** The numeric settings of a campaign, in form order, with their labels. */
const NUMBERS = [
  ['contactsPerTouchpointPerWeek', 'Tests of each touchpoint a week (1–21)'],
  ['weeklyBudget', 'By need: tests a week for the whole campaign (blank otherwise)'],
  ['floorPerTouchpoint', 'By need: tests every touchpoint gets a week, at least (blank otherwise)'],
  ['windowMinutes', 'Window length, minutes (15–480, a multiple of 15)'],
  ['revealLeadMinutes', 'Tester told this many minutes before the window'],
  ['holdLeadMinutes', 'Calendar hold this many minutes before (blank: none)'],
  ['remindBeforeMinutes', 'Reminder this many minutes before the window closes'],
  ['graceMinutes', 'Missed after the window plus this many minutes'],
  ['minSpacingHours', 'Hours between two tests of one touchpoint, at least'],
  ['testerWeeklyCap', 'Tests a tester does a week, at most'],
  ['rotationDays', 'Days before a tester tests the same touchpoint again'],
  ['horizonDays', 'Days ahead the nightly job keeps planned'],
] as const;
type NumberKey = (typeof NUMBERS)[number][0];
/** Numbers a blank means none of (the others' blank means their default). */
const NULLABLE = new Set<NumberKey>(['holdLeadMinutes', 'weeklyBudget', 'floorPerTouchpoint']);

const ALLOCATION_OPTIONS: Option[] = [
  { value: 'per-touchpoint', label: 'The same number of tests for every touchpoint' },
  { value: 'by-need', label: 'By need: a weekly budget divided by what open claims still need' },
];

interface CampaignForm {
  name: string;
  touchpointIds: string[];
  team: string;
  channels: string[];
  testerIds: string[];
  scenarioIds: string[];
  numbers: Record<NumberKey, string>;
  allocation: string;
  allowOwnerSelfTest: boolean;
  startsOn: string;
  endsOn: string;
}

/** A typed number as the DTO should see it: a whole number as such, anything else as typed (its rule names it). */
const numberOf = (text: string): unknown => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text);

export function campaignFormOf(body: unknown): CampaignForm {
  const fields = formFields(body);
  const numbers = {} as Record<NumberKey, string>;
  for (const [key] of NUMBERS) numbers[key] = (fields[key] ?? '').trim();
  return {
    name: fields.name ?? '',
    touchpointIds: listOf(body, 'touchpointIds'),
    team: (fields.team ?? '').trim(),
    channels: listOf(body, 'channels'),
    testerIds: listOf(body, 'testerIds'),
    scenarioIds: listOf(body, 'scenarioIds'),
    numbers,
    allocation: (fields.allocation ?? '').trim() || 'per-touchpoint',
    allowOwnerSelfTest: fields.allowOwnerSelfTest === 'yes',
    startsOn: (fields.startsOn ?? '').trim(),
    endsOn: (fields.endsOn ?? '').trim(),
  };
}

/** What CreateCampaignDto validates: a blank number left out (its default), a blank hold, end or team as none. */
function dtoPlainOf(form: CampaignForm): object {
  const plain: Record<string, unknown> = {
    name: form.name,
    touchpointIds: form.touchpointIds,
    team: form.team || null,
    channels: form.channels,
    testerIds: form.testerIds,
    scenarioIds: form.scenarioIds,
    allocation: form.allocation,
    allowOwnerSelfTest: form.allowOwnerSelfTest,
    startsOn: form.startsOn,
    endsOn: form.endsOn || null,
  };
  for (const [key] of NUMBERS) {
    const text = form.numbers[key];
    if (text !== '') plain[key] = numberOf(text);
    else if (NULLABLE.has(key)) plain[key] = null;
  }
  return plain;
}

function formOf(c: Campaign): CampaignForm {
  const numbers = {} as Record<NumberKey, string>;
  for (const [key] of NUMBERS) numbers[key] = c[key] === null ? '' : String(c[key]);
  return {
    name: c.name,
    touchpointIds: c.touchpointIds,
    team: c.team ?? '',
    channels: c.channels,
    testerIds: c.testerIds,
    scenarioIds: c.scenarioIds,
    numbers,
    allocation: c.allocation,
    allowOwnerSelfTest: c.allowOwnerSelfTest,
    startsOn: c.startsOn,
    endsOn: c.endsOn ?? '',
  };
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/** The choices a campaign picks from, by name: touchpoints (with team and channel), teams, testers, scenarios. */
interface Choices {
  touchpoints: Option[];
  teams: Option[];
  testers: Option[];
  scenarios: Option[];
  touchpointName: Map<string, string>;
}

/** A plan's answer as one message: what was planned, and each unfilled slot with its touchpoint and reason. */
export function planSummary(result: PlanResult, touchpointName: Map<string, string>): string {
  const parts = [`Planned ${result.planned} test(s)`];
  if (result.weeksPlanned.length) parts[0] += ` in the week(s) of ${result.weeksPlanned.join(', ')}`;
  if (result.withdrawn) parts.push(`${result.withdrawn} unrevealed test(s) withdrawn to plan again`);
  if (result.weeksAlreadyPlanned.length)
    parts.push(
      `already planned, nothing added: ${result.weeksAlreadyPlanned.join(', ')} (tick "plan again" to re-plan)`,
    );
  if (result.unfilled.length) {
    const shown = result.unfilled
      .slice(0, 10)
      .map(
        (u) =>
          `${touchpointName.get(u.touchpointId) ?? 'a touchpoint'} (week of ${u.weekStart}): ${u.reason.replace(/_/g, ' ')} — ${u.explanation}`,
      );
    const more = result.unfilled.length > 10 ? `; and ${result.unfilled.length - 10} more` : '';
    parts.push(`${result.unfilled.length} slot(s) unfilled: ${shown.join('; ')}${more}`);
  } else parts.push('no slot unfilled');
  return `${parts.join('. ')}.`;
}

/**
 * Campaigns (admin): the list, adding and editing one with pickers (touchpoints by name, team and channel, or a
 * team and channels; testers and scenarios by name), and planning or re-planning a period from its page, through
 * CampaignsService and PlanningService as /api/v1/campaigns uses them.
 */
@ConsoleController('campaigns')
export class CampaignPagesController extends AdminCrudRoutes {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly planning: PlanningService,
    private readonly touchpoints: TouchpointsService,
    private readonly people: PeopleService,
    private readonly scenarios: ScenariosService,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
  ) {
    super();
  }

  private readonly rows = {
    kind: 'campaign',
    path: '/campaigns',
    nameOf: (campaign: Campaign) => campaign.name,
    read: (org: string, id: string) => this.campaigns.get(org, id),
    flash: (session: CurrentSession, text: string) => this.sessions.flash(session.actor, text),
  };

  /** Adding and editing a campaign, through the API's service; its page also plans it (below). */
  protected readonly edits = new EditPages<Campaign, CampaignForm, CreateCampaignDto>({
    ...this.rows,
    dto: CreateCampaignDto,
    formOf: campaignFormOf,
    plainOf: dtoPlainOf,
    emptyForm: () => this.emptyForm(),
    rowForm: formOf,
    create: (session, value) => this.campaigns.create(session.actor.organizationId, value),
    update: (session, id, value) =>
      this.campaigns.update(session.actor.organizationId, id, value, session.actor.personId),
    addedText: (name) => `${name} is added: plan its first weeks below.`,
    savedText: (name) => `${name} is saved. Weeks planned before keep their tests unless re-planned.`,
    next: (campaign) => `/campaigns/${campaign.id}`,
    send: (res, status, session, campaign, form, errors) => this.sendPage(res, status, session, campaign, form, errors),
  });

  /** Deleting a campaign: asked first, then through the API's service (which refuses one in use). */
  protected readonly deletes = new DeletePages<Campaign>({
    ...this.rows,
    effect:
      'Its planned tests that nobody has seen yet go with it. A campaign with revealed or finished tests is kept: set its end date to stop it instead.',
    remove: (org, id) => this.campaigns.remove(org, id),
  });

  /** A new campaign's form: the defaults, two tests a touchpoint a week, from today. */
  private emptyForm(): CampaignForm {
    const numbers = {} as Record<NumberKey, string>;
    for (const [key] of NUMBERS)
      numbers[key] = key === 'holdLeadMinutes' ? '' : String(DEFAULTS[key as keyof typeof DEFAULTS] ?? '');
    numbers.contactsPerTouchpointPerWeek = '2';
    return {
      name: '',
      touchpointIds: [],
      team: '',
      channels: [],
      testerIds: [],
      scenarioIds: [],
      numbers,
      allocation: 'per-touchpoint',
      allowOwnerSelfTest: false,
      startsOn: isoDate(this.clock.now()),
      endsOn: '',
    };
  }

  private async choices(session: CurrentSession): Promise<Choices> {
    const org = session.actor.organizationId;
    const touchpoints = await everyItem(
      (paging) => this.touchpoints.list(org, Object.assign(new TouchpointsQuery(), paging)),
      CAMPAIGN_LIMITS.touchpoints,
    );
    const testers = await everyItem(
      (paging) => this.people.list(org, Object.assign(new PeopleQuery(), { ...paging, role: 'tester' })),
      CAMPAIGN_LIMITS.testers,
    );
    const scenarios = await everyItem((paging) =>
      this.scenarios.list(org, Object.assign(new ScenariosQuery(), paging)),
    );
    const teams = [...new Set(touchpoints.map((t) => t.team).filter((t): t is string => !!t))].sort();
    // grouped by team, then by name: the picker reads like the organisation's chart
    const sorted = [...touchpoints].sort(
      (a, b) => (a.team ?? '~').localeCompare(b.team ?? '~') || a.name.localeCompare(b.name),
    );
    return {
      touchpoints: sorted.map((t) => ({
        value: t.id,
        label: `${t.name} — ${CHANNEL_LABELS[t.channel]}${t.team ? `, ${t.team}` : ''}`,
      })),
      teams: teams.map((t) => ({ value: t, label: t })),
      testers: testers.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` })),
      scenarios: scenarios.map((s) => ({
        value: s.id,
        label: `${s.title} — ${s.channels.map((c) => CHANNEL_LABELS[c]).join(', ')}`,
      })),
      touchpointName: new Map(touchpoints.map((t) => [t.id, t.name])),
    };
  }

  @Get()
  @ConsolePage('admin')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const asked = formFields(query);
    const { value, errors } = await validateDto(CampaignsQuery, asked);
    const filter = errors.length ? new CampaignsQuery() : value;
    const page = await this.campaigns.list(session.actor.organizationId, filter);
    const kept: Record<string, string> = filter.q ? { q: filter.q } : {};
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/campaigns" title="Campaigns">
        <p>
          <a href="/campaigns/new">Add a campaign</a>
        </p>
        <form method="get" action="/campaigns" role="search" class="narrow">
          <Field name="q" label="Search by name" type="search" value={asked.q} errors={errors} />
          <button type="submit">Search</button>
        </form>
        <PagedTable
          caption="Campaigns"
          base="/campaigns"
          query={kept}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(c) => c.id}
          empty={
            <EmptyState title={filter.q ? 'No campaign matches that search.' : 'No campaigns yet.'}>
              <p>
                <a href="/campaigns/new">Add a campaign</a>.
              </p>
            </EmptyState>
          }
          columns={[
            { header: 'Name', cell: (c) => <a href={`/campaigns/${c.id}`}>{c.name}</a> },
            {
              header: 'Touchpoints',
              cell: (c) =>
                c.touchpointIds.length
                  ? `${c.touchpointIds.length} picked`
                  : [
                      c.team ? `team ${c.team}` : 'any team',
                      c.channels.length ? c.channels.join(', ') : 'any channel',
                    ].join(', '),
            },
            { header: 'Testers', cell: (c) => String(c.testerIds.length) },
            {
              header: 'Per week',
              cell: (c) =>
                c.allocation === 'by-need'
                  ? `${c.weeklyBudget} by need (at least ${c.floorPerTouchpoint} each)`
                  : String(c.contactsPerTouchpointPerWeek),
            },
            { header: 'Runs', cell: (c) => `${c.startsOn} – ${c.endsOn ?? 'open end'}` },
          ]}
        />
      </Layout>,
    );
  }

  @Post(':id/plan')
  @ConsolePage('admin')
  async plan(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const campaign = await rowOr404(this.campaigns.get(session.actor.organizationId, id), 'campaign');
    const fields = formFields(body);
    const period = { from: fields.from ?? '', to: fields.to ?? '', replan: fields.replan === 'yes' };
    const { value, errors } = await validateDto(PlanPeriodDto, period);
    if (errors.length) return this.sendPage(res, 400, session, campaign, formOf(campaign), [], { period, errors });
    try {
      const options = value.replan ? { replan: { by: session.actor.personId } } : {};
      const result = await this.planning.planPeriod(session.actor.organizationId, id, value.from, value.to, options);
      const { touchpointName } = await this.choices(session);
      await this.sessions.flash(session.actor, planSummary(result, touchpointName));
      res.redirect(303, `/campaigns/${id}`);
    } catch (error) {
      // too large a period or campaign, or a period outside the campaign: the planner names the field
      const planErrors =
        error instanceof BadRequestException ? (error.getResponse() as { errors?: FieldError[] }).errors : undefined;
      if (planErrors?.length)
        return this.sendPage(res, 400, session, campaign, formOf(campaign), [], { period, errors: planErrors });
      throw error;
    }
  }

  private async sendPage(
    res: Response,
    status: number,
    session: CurrentSession,
    campaign: Campaign | null,
    form: CampaignForm,
    errors: FieldError[],
    planning?: { period: { from: string; to: string; replan: boolean }; errors: FieldError[] },
  ): Promise<void> {
    const choices = await this.choices(session);
    const action = campaign ? `/campaigns/${campaign.id}` : '/campaigns';
    const today = this.clock.now();
    const period = planning?.period ?? { from: isoDate(today), to: isoDate(addDays(today, 13)), replan: false };
    const planErrors = planning?.errors ?? [];
    sendPage(
      res,
      status,
      <Layout session={session} path={action} title={campaign ? campaign.name : 'Add a campaign'}>
        {campaign && (
          <section aria-labelledby="plan-heading">
            <h2 id="plan-heading">Plan</h2>
            <ErrorSummary errors={planErrors} />
            <form method="post" action={`/campaigns/${campaign.id}/plan`} class="narrow" novalidate>
              <CsrfField token={session.csrfToken} />
              <Field name="from" label="From" type="date" value={period.from} errors={planErrors} />
              <Field name="to" label="To" type="date" value={period.to} errors={planErrors} />
              <div class="field">
                <label>
                  <input type="checkbox" name="replan" value="yes" checked={period.replan} /> Plan weeks already planned
                  again (their unrevealed tests are withdrawn first)
                </label>
              </div>
              <button type="submit">Plan these weeks</button>
            </form>
            <h2>Settings</h2>
          </section>
        )}
        <ErrorSummary errors={errors} />
        <form method="post" action={action} novalidate>
          <CsrfField token={session.csrfToken} />
          <Field name="name" label="Name" value={form.name} errors={errors} required />
          <CheckboxGroup
            name="touchpointIds"
            legend="Touchpoints"
            options={choices.touchpoints}
            checked={form.touchpointIds}
            errors={errors}
            hint="Pick touchpoints by name; or pick none and choose a team and channels below."
          />
          <SelectField
            name="team"
            label="Or every touchpoint of a team"
            options={choices.teams}
            value={form.team}
            errors={errors}
            blank="Any team"
          />
          <CheckboxGroup
            name="channels"
            legend="…on these channels (none: every channel)"
            options={channelOptions}
            checked={form.channels}
            errors={errors}
          />
          <CheckboxGroup
            name="testerIds"
            legend="Testers"
            options={choices.testers}
            checked={form.testerIds}
            errors={errors}
            hint="People with the tester role."
          />
          {choices.testers.length === 0 && (
            <p class="hint">
              Nobody holds the tester role yet: <a href="/people/new">add a person</a> first.
            </p>
          )}
          <CheckboxGroup
            name="scenarioIds"
            legend="Scenarios (none: any that fits the channel)"
            options={choices.scenarios}
            checked={form.scenarioIds}
            errors={errors}
          />
          <Field name="startsOn" label="Starts on" type="date" value={form.startsOn} errors={errors} />
          <Field name="endsOn" label="Ends on (blank: open end)" type="date" value={form.endsOn} errors={errors} />
          <SelectField
            name="allocation"
            label="Tests a week"
            options={ALLOCATION_OPTIONS}
            value={form.allocation}
            errors={errors}
            hint={
              'By need spends the budget where open claims still need contacts for a verdict, each touchpoint ' +
              'getting at least its floor and at most its tests a week below; it changes how many tests a ' +
              'touchpoint gets, never when.'
            }
          />
          {NUMBERS.map(([key, label]) => (
            <Field key={key} name={key} label={label} type="number" value={form.numbers[key]} errors={errors} />
          ))}
          <div class="field">
            <label>
              <input type="checkbox" name="allowOwnerSelfTest" value="yes" checked={form.allowOwnerSelfTest} /> Owners
              may test their own touchpoints
            </label>
          </div>
          <button type="submit">{campaign ? 'Save settings' : 'Add campaign'}</button>
        </form>
        <p>
          <a href="/campaigns">Back to campaigns</a>
          {campaign && (
            <>
              {' '}
              · <a href={`/campaigns/${campaign.id}/delete`}>Delete {campaign.name}…</a>
            </>
          )}
        </p>
      </Layout>,
    );
  }
}
