import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DateTime } from 'luxon';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { CampaignsQuery } from '../../../campaigns/campaign.dto.js';
import { CampaignsService } from '../../../campaigns/campaigns.service.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import { MAX_WEEKS_AHEAD, PlanCalendarQuery } from '../../../plan-calendar/plan-calendar.dto.js';
import type { CalendarSlot } from '../../../plan-calendar/plan-calendar.repository.js';
import { PlanCalendarService } from '../../../plan-calendar/plan-calendar.service.js';
import { ResultsService } from '../../../results/results.service.js';
import { CHANNELS } from '../../../touchpoints/touchpoint.entity.js';
import { EmptyState, PagedTable, SelectField } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields } from '../forms.js';
import { Layout, sendPage } from '../layout.js';

const WEEK_CHOICES = [1, 2, 4, 8, MAX_WEEKS_AHEAD].map((n) => ({
  value: String(n),
  label: `${n} week${n > 1 ? 's' : ''}`,
}));
const channelLabel = (c: string) => c.replace(/_/g, ' ');
/** A window in its touchpoint's own zone, as its tester will be told it: "Mon 8 Mar 10:00–11:00". */
const windowText = (s: CalendarSlot) => {
  const start = DateTime.fromJSDate(s.windowStart, { zone: s.timezone });
  const end = DateTime.fromJSDate(s.windowEnd, { zone: s.timezone });
  return `${start.toFormat('ccc d LLL HH:mm')}–${end.toFormat('HH:mm ZZZZ')}`;
};

/**
 * The plan calendar (issue 14 item 3; admin and quality): the coming weeks per touchpoint and tester, and the slots
 * nobody could take with why; by campaign, team and channel. Through PlanCalendarService, as
 * GET /api/v1/plan-calendar reads it.
 */
@ConsoleController('plan')
export class PlanPagesController {
  constructor(
    private readonly calendar: PlanCalendarService,
    private readonly campaigns: CampaignsService,
    private readonly results: ResultsService,
  ) {}

  @Get()
  @ConsolePage('admin', 'quality')
  async show(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const asked = formFields(query);
    const { value, errors } = await validateDto(PlanCalendarQuery, asked);
    const filter = errors.length ? new PlanCalendarQuery() : value;
    const { actor } = session;
    const [plan, campaigns, teams] = await Promise.all([
      this.calendar.read(actor, filter),
      this.campaigns.list(actor.organizationId, Object.assign(new CampaignsQuery(), { limit: 200, offset: 0 })),
      this.results.teams(actor),
    ]);
    const kept: Record<string, string> = { weeks: String(filter.weeks) };
    for (const key of ['campaignId', 'team', 'channel'] as const) if (filter[key]) kept[key] = String(filter[key]);
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/plan" title="Plan">
        <p>
          Tests still to happen from now for {filter.weeks} week{filter.weeks > 1 ? 's' : ''}, in each touchpoint's own
          time zone. Only admin and quality see this page: the tests here are secret until revealed.
        </p>
        <form method="get" action="/plan" class="filters">
          <SelectField
            name="campaignId"
            label="Campaign"
            blank="Every campaign"
            value={asked.campaignId}
            options={campaigns.items.map((c) => ({ value: c.id, label: c.name }))}
            errors={errors}
          />
          <SelectField
            name="team"
            label="Team"
            blank="Any team"
            value={asked.team}
            options={teams.map((t) => ({ value: t.team, label: t.team }))}
            errors={errors}
          />
          <SelectField
            name="channel"
            label="Channel"
            blank="Any channel"
            value={asked.channel}
            options={CHANNELS.map((c) => ({ value: c, label: channelLabel(c) }))}
            errors={errors}
          />
          <SelectField
            name="weeks"
            label="Weeks ahead"
            value={String(filter.weeks)}
            options={WEEK_CHOICES}
            errors={errors}
          />
          <div class="field">
            <button type="submit">Show</button>
          </div>
        </form>
        <PagedTable
          caption="Tests still to happen"
          base="/plan"
          query={kept}
          page={plan}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(s) => s.assignmentId}
          empty={<EmptyState title="No test planned in these weeks." />}
          columns={[
            { header: 'Window', cell: (s) => windowText(s) },
            { header: 'Touchpoint', cell: (s) => `${s.touchpoint} (${channelLabel(s.channel)})` },
            { header: 'Team', cell: (s) => s.team ?? '–' },
            { header: 'Tester', cell: (s) => s.tester },
            { header: 'Campaign', cell: (s) => s.campaign },
            { header: 'Scenario', cell: (s) => s.scenario ?? '–' },
            { header: 'Status', cell: (s) => s.status },
          ]}
        />
        <h2>Slots left unfilled</h2>
        {plan.unfilled.length ? (
          <div class="table-wrap" role="region" aria-label="Slots left unfilled" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Week of</th>
                  <th scope="col">Touchpoint</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {plan.unfilled.map((u) => (
                  <tr key={`${u.campaignId}-${u.touchpointId}-${u.weekStart}-${u.slot}`}>
                    <td>{DateTime.fromISO(u.weekStart).toFormat('d LLL yyyy')}</td>
                    <td>{u.touchpoint}</td>
                    <td>{u.campaign}</td>
                    <td>{u.explanation}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <EmptyState title="Every slot of these weeks has a tester." />
        )}
      </Layout>,
    );
  }
}
