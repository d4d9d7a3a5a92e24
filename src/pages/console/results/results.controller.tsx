import { Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DateTime } from 'luxon';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import { formatValue } from '../../../digests/format.js';
import { ResultsQuery } from '../../../results/results.dto.js';
import { ResultsService } from '../../../results/results.service.js';
import type { MetricSeries, Results } from '../../../results/results.service.js';
import { TouchpointsQuery } from '../../../touchpoints/touchpoint.dto.js';
import { CHANNELS } from '../../../touchpoints/touchpoint.entity.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import { EmptyState, Field, PagedTable, SelectField } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { ClaimsLegend, ResultsChart } from './results-chart.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WEEK_CHOICES = [4, 8, 12, 26].map((n) => ({ value: String(n), label: `${n} weeks` }));
const metricLabel = (metric: string) => metric.replace(/_/g, ' ');
const day = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat('d LLL yyyy');
const channelLabel = (c: string) => c.replace(/_/g, ' ');

/**
 * Results (issue 14 item 3): pick a touchpoint or a team, then each metric over the weeks with its interval and
 * the claims on it, and coverage. Through ResultsService, as GET /api/v1/results/… reads it: an owner reaches
 * their own touchpoints' page only, a week behind and without coverage.
 */
@ConsoleController('results')
export class ResultsPagesController {
  constructor(
    private readonly results: ResultsService,
    private readonly touchpoints: TouchpointsService,
  ) {}

  @Get()
  @ConsolePage('admin', 'quality')
  async index(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const asked = formFields(query);
    const { value, errors } = await validateDto(TouchpointsQuery, asked);
    const filter = errors.length ? new TouchpointsQuery() : value;
    const [page, teams] = await Promise.all([
      this.touchpoints.list(session.actor.organizationId, filter),
      this.results.teams(session.actor),
    ]);
    const kept: Record<string, string> = {};
    for (const key of ['q', 'team', 'channel'] as const) if (filter[key]) kept[key] = String(filter[key]);
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/results" title="Results">
        <form method="get" action="/results" role="search" class="filters">
          <Field name="q" label="Touchpoint name or contact" type="search" value={asked.q} errors={errors} />
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
          <div class="field">
            <button type="submit">Show</button>
          </div>
        </form>
        <PagedTable
          caption="Touchpoints"
          base="/results"
          query={kept}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(t) => t.id}
          empty={<EmptyState title={Object.keys(kept).length ? 'No touchpoint matches.' : 'No touchpoints yet.'} />}
          columns={[
            { header: 'Touchpoint', cell: (t) => <a href={`/results/touchpoints/${t.id}`}>{t.name}</a> },
            { header: 'Channel', cell: (t) => channelLabel(t.channel) },
            { header: 'Team', cell: (t) => t.team ?? '–' },
          ]}
        />
        <h2>Teams</h2>
        {teams.length ? (
          <ul>
            {teams.map((t) => (
              <li key={t.team}>
                <a href={`/results/teams/${encodeURIComponent(t.team)}`}>{t.team}</a> ({t.touchpoints} touchpoint
                {t.touchpoints === 1 ? '' : 's'})
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title="No team yet: a touchpoint's team tag makes one." />
        )}
      </Layout>,
    );
  }

  @Get('touchpoints/:id')
  @ConsolePage('admin', 'quality', 'owner')
  async touchpoint(
    @CurrentConsole() session: CurrentSession,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundException(`Touchpoint ${id} not found`);
    const { weeks, errors } = await weeksOf(query);
    const results = await this.results.touchpoint(session.actor, id, weeks);
    const path = `/results/touchpoints/${id}`;
    sendPage(res, errors ? 400 : 200, <ResultsPage session={session} path={path} results={results} weeks={weeks} />);
  }

  @Get('teams/:team')
  @ConsolePage('admin', 'quality')
  async team(
    @CurrentConsole() session: CurrentSession,
    @Param('team') team: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const { weeks, errors } = await weeksOf(query);
    const results = await this.results.team(session.actor, team, weeks);
    const path = `/results/teams/${encodeURIComponent(team)}`;
    sendPage(res, errors ? 400 : 200, <ResultsPage session={session} path={path} results={results} weeks={weeks} />);
  }
}

/** `?weeks=` by the API's rule (ResultsQuery); a value out of it falls back to the default, and the page says 400. */
async function weeksOf(query: Record<string, unknown>): Promise<{ weeks: number; errors: boolean }> {
  const { value, errors } = await validateDto(ResultsQuery, formFields(query));
  return errors.length ? { weeks: new ResultsQuery().weeks, errors: true } : { weeks: value.weeks, errors: false };
}

function ResultsPage(props: { session: CurrentSession; path: string; results: Results; weeks: number }) {
  const { results: r } = props;
  const zone = r.scope.timezone;
  const back = r.delayDays > 0;
  // each week's label once, not once per metric (a zone's date formatting is the page's dearest step)
  const weekOf = new Map(r.contacts.map((c) => [c.start, day(c.start, zone)]));
  return (
    <Layout session={props.session} path={props.path} title={`Results: ${r.scope.name}`}>
      <p>
        {r.scope.channel ? `${channelLabel(r.scope.channel)} · ` : ''}weeks from Monday, {zone} ·{' '}
        {day(r.period.start, zone)} to {day(r.period.end, zone)}
      </p>
      {back && (
        <p class="hint">
          You see completed tests only, each from {r.delayDays} days after its window began: your view ends{' '}
          {day(r.period.end, zone)}.
        </p>
      )}
      <form method="get" action={props.path} class="filters">
        <SelectField name="weeks" label="Weeks shown" value={String(props.weeks)} options={WEEK_CHOICES} />
        <div class="field">
          <button type="submit">Show</button>
        </div>
      </form>
      <h2>Contacts per week</h2>
      <p>
        {r.contacts.reduce((a, c) => a + c.n, 0)} counted contacts in {r.contacts.length} weeks (
        {r.contacts.map((c) => c.n).join(', ')}).
      </p>
      <div class="metrics">
        {r.metrics.map((m) => (
          <MetricSection key={m.metric} series={m} results={r} weekOf={weekOf} />
        ))}
      </div>
      {r.scope.touchpointId === null && (
        <p class="hint">Waits are shown per touchpoint: they are never pooled across channels.</p>
      )}
      {r.coverage && (
        <section>
          <h2>Coverage</h2>
          <p class="hint">Tests whose window ended in these weeks; unfilled slots of weeks that ended in them.</p>
          <dl class="coverage">
            {(['planned', 'completed', 'missed', 'declined', 'unfilled'] as const).map((k) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{r.coverage![k]}</dd>
              </div>
            ))}
          </dl>
          {r.coverage.unfilledReasons.length > 0 && (
            <>
              <h3>Why slots were left unfilled</h3>
              <ul>
                {r.coverage.unfilledReasons.map((u) => (
                  <li key={u.reason}>
                    {u.reason}: {u.slots}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </Layout>
  );
}

function MetricSection(props: { series: MetricSeries; results: Results; weekOf: Map<string, string> }) {
  const { series: m, results: r } = props;
  const claims = r.claims.filter((c) => c.metric === m.metric);
  const label = metricLabel(m.metric);
  return (
    <section aria-labelledby={`m-${m.metric}`}>
      <h2 id={`m-${m.metric}`}>{label}</h2>
      <ResultsChart
        id={`chart-${m.metric}`}
        series={m}
        claims={claims}
        zone={r.scope.timezone}
        title={`${label} per week with 95 % intervals${claims.length ? ' and the claims' : ''}`}
      />
      <ClaimsLegend unit={m.unit} claims={claims} />
      <details>
        <summary>The numbers</summary>
        <div class="table-wrap" role="region" aria-label={`${label} per week`} tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Week of</th>
                <th scope="col">Observed</th>
                <th scope="col">95 % interval</th>
                <th scope="col">n</th>
              </tr>
            </thead>
            <tbody>
              {m.weeks.map((w) => (
                <tr key={w.start}>
                  <td>{props.weekOf.get(w.start) ?? day(w.start, r.scope.timezone)}</td>
                  <td>{formatValue(m.unit, w.observed)}</td>
                  <td>
                    {w.ciLow === null ? '–' : `${formatValue(m.unit, w.ciLow)} – ${formatValue(m.unit, w.ciHigh)}`}
                  </td>
                  <td>{w.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
