import { Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DateTime } from 'luxon';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { DigestRow } from '../../../digests/digest-builder.service.js';
import { DigestRunsQuery } from '../../../digests/digest-run.dto.js';
import { DigestRunsService } from '../../../digests/digest-runs.service.js';
import { DigestSubscriptionsService } from '../../../digests/digest-subscriptions.service.js';
import type { RunSummary } from '../../../digests/digests.repository.js';
import { formatGap, formatValue } from '../../../digests/format.js';
import { OutcomesQuery } from '../../../outcomes/outcome.dto.js';
import { OutcomesService } from '../../../outcomes/outcomes.service.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import { EmptyState, PagedTable, SelectField } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields, pagingOf } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { contactColumns } from './contacts.controller.js';
import { ExportLinks, isExportFormat, kept, sendExport, touchpointsById, when } from './quality-parts.js';

const interval = (r: DigestRow) =>
  r.ciLow === null || r.ciHigh === null ? '—' : `${formatValue(r.unit, r.ciLow)} – ${formatValue(r.unit, r.ciHigh)}`;

/** A row's contacts as OutcomesQuery filters: its scope, and its claim's period in its touchpoint's zone. */
export function rowFilter(row: DigestRow, zone: string): Record<string, string> {
  const start = DateTime.fromISO(row.claimPeriod.start, { zone });
  const end = DateTime.fromISO(row.claimPeriod.end, { zone }).plus({ days: 1 });
  return kept({
    touchpointId: row.touchpointId,
    team: row.touchpointId ? undefined : row.team,
    channel: row.touchpointId ? undefined : row.channel,
    from: start.toISO() ?? undefined,
    to: end.toISO() ?? undefined,
  });
}

/** A run's period as it ran: from its start to its end (exclusive), in UTC. */
const periodOf = (start: Date, end: Date) => `${when(start).replace(' UTC', '')} – ${when(end)}`;

const EXPORT_HEADER = [
  'scope',
  'metric',
  'claimed',
  'observed',
  'n',
  'ci_low',
  'ci_high',
  'gap',
  'verdict',
  'claim_period_start',
  'claim_period_end',
  'source',
];

/**
 * The digest archive (admin, quality): every run, its page, each row's contacts (the drill-down to one contact),
 * and a run's export, through DigestRunsService and OutcomesService as the API's routes read them.
 */
@ConsoleController('digests')
export class DigestsPagesController {
  constructor(
    private readonly runs: DigestRunsService,
    private readonly subscriptions: DigestSubscriptionsService,
    private readonly outcomes: OutcomesService,
    private readonly touchpoints: TouchpointsService,
  ) {}

  @Get()
  @ConsolePage('admin', 'quality')
  async archive(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    const asked = formFields(query);
    const { value, errors } = await validateDto(DigestRunsQuery, asked);
    const paging = await pagingOf(query);
    const subscriptionId = errors.some((e) => e.field === 'subscriptionId') ? undefined : value.subscriptionId;
    const [page, subs] = await Promise.all([
      this.runs.list(me, { ...paging, subscriptionId }),
      this.subscriptions.list(me.organizationId, { limit: 200, offset: 0 }),
    ]);
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/digests" title="Digests">
        <p>
          <a href="/digests/subscriptions">Who receives which digest, and when</a>
        </p>
        <form method="get" action="/digests" role="search" class="narrow">
          <SelectField
            name="subscriptionId"
            label="Digest"
            blank="Every digest"
            value={asked.subscriptionId}
            errors={errors}
            options={subs.items.map((s) => ({ value: s.id, label: s.name }))}
          />
          <button type="submit">Show</button>
        </form>
        <PagedTable<RunSummary>
          caption="Digests sent, newest first"
          base="/digests"
          query={kept({ subscriptionId })}
          page={page}
          paging={paging}
          rowKey={(r) => r.id}
          empty={<EmptyState title="No digest has been sent yet." />}
          columns={[
            { header: 'Digest', cell: (r) => <a href={`/digests/runs/${r.id}`}>{r.subscriptionName}</a> },
            {
              header: 'Period',
              cell: (r) => periodOf(r.periodStart, r.periodEnd),
            },
            { header: 'Sent', cell: (r) => when(r.createdAt) },
            { header: 'Rows', cell: (r) => String(r.rows) },
            { header: 'Headline', cell: (r) => r.headline },
          ]}
        />
      </Layout>,
    );
  }

  @Get('runs/:runId')
  @ConsolePage('admin', 'quality')
  async run(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('runId') runId: string,
    @Res() res: Response,
  ): Promise<void> {
    const run = await this.runs.get(session.actor, runId);
    const p = run.payload;
    const tps = await touchpointsById(
      this.touchpoints,
      session.actor,
      p.rows.map((r) => r.touchpointId),
    );
    const title = `${run.subscriptionName}, ${periodOf(run.periodStart, run.periodEnd)}`;
    sendPage(
      res,
      200,
      <Layout session={session} path="/digests" title={title}>
        <p>
          <strong>{p.headline}</strong>
        </p>
        <p>Sent {when(run.createdAt)}.</p>
        <ExportLinks base={`/digests/runs/${run.id}/export`} what="this digest" />
        {p.rows.length === 0 ? (
          <EmptyState title="No claims were judged in this digest." />
        ) : (
          <div class="table-wrap" role="region" aria-label="Claims beside the tests" tabindex={0}>
            <table>
              <caption>Claims beside the tests</caption>
              <thead>
                <tr>
                  {['Scope', 'Metric', 'Claimed', 'Observed', '95 % interval', 'Contacts', 'Gap', 'Verdict'].map(
                    (h) => (
                      <th scope="col" key={h}>
                        {h}
                      </th>
                    ),
                  )}
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r, i) => (
                  <tr key={r.claimId}>
                    <td>
                      {r.touchpointId && tps.has(r.touchpointId) ? (
                        <a href={`/results/touchpoints/${r.touchpointId}`}>{r.scopeLabel}</a>
                      ) : (
                        r.scopeLabel
                      )}
                    </td>
                    <td>{r.metric}</td>
                    <td>{formatValue(r.unit, r.claimed)}</td>
                    <td>{formatValue(r.unit, r.observed)}</td>
                    <td>{interval(r)}</td>
                    <td>
                      <a
                        href={`/digests/runs/${run.id}/rows/${i}`}
                        aria-label={`${r.n} contacts behind ${r.scopeLabel} ${r.metric}`}
                      >
                        {r.n}
                      </a>
                    </td>
                    <td>{formatGap(r)}</td>
                    <td>{r.verdict.replaceAll('_', ' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2>Coverage</h2>
        <dl class="facts">
          {Object.entries(p.coverage).map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{typeof v === 'number' ? String(v) : JSON.stringify(v)}</dd>
            </>
          ))}
        </dl>
        {p.coverageByTouchpoint?.length ? (
          <div class="table-wrap" role="region" aria-label="Coverage by touchpoint" tabindex={0}>
            <table>
              <caption>Coverage by touchpoint</caption>
              <thead>
                <tr>
                  {['Touchpoint', 'Planned', 'Completed', 'Missed', 'Declined', 'Unfilled'].map((h) => (
                    <th scope="col" key={h}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.coverageByTouchpoint.map((c) => (
                  <tr key={c.touchpointId}>
                    <td>
                      {tps.has(c.touchpointId) ? (
                        <a href={`/results/touchpoints/${c.touchpointId}`}>{c.touchpoint}</a>
                      ) : (
                        c.touchpoint
                      )}
                    </td>
                    <td>{c.planned}</td>
                    <td>{c.completed}</td>
                    <td>{c.missed}</td>
                    <td>{c.declined}</td>
                    <td>{c.unfilled}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Layout>,
    );
  }

  @Get('runs/:runId/export/:format')
  @ConsolePage('admin', 'quality')
  async export(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('runId') runId: string,
    @Param('format') format: string,
    @Res() res: Response,
  ): Promise<void> {
    if (!isExportFormat(format)) throw new NotFoundException('No such export format');
    const run = await this.runs.get(session.actor, runId);
    const rows = run.payload.rows.map((r) => [
      r.scopeLabel,
      r.metric,
      r.claimed,
      r.observed,
      r.n,
      r.ciLow,
      r.ciHigh,
      r.gap,
      r.verdict,
      r.claimPeriod.start,
      r.claimPeriod.end,
      r.source,
    ]);
    await sendExport(res, format, `digest-${run.periodStart.toISOString().slice(0, 10)}`, EXPORT_HEADER, rows);
  }

  @Get('runs/:runId/rows/:row')
  @ConsolePage('admin', 'quality')
  async row(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('runId') runId: string,
    @Param('row') index: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    // the run's one row, not its payload (an organization's digest holds a row per claim)
    const { run, row } = await this.runs.getRow(me, runId, /^\d{1,5}$/.test(index) ? Number(index) : null);
    const tp = row.touchpointId
      ? (await touchpointsById(this.touchpoints, me, [row.touchpointId])).get(row.touchpointId)
      : undefined;
    const filter = rowFilter(row, tp?.timezone ?? 'UTC');
    const paging = await pagingOf(query);
    const { value } = await validateDto(OutcomesQuery, filter);
    const page = await this.outcomes.list(me, Object.assign(value, paging));
    const names = await touchpointsById(
      this.touchpoints,
      me,
      page.items.map((o) => o.touchpointId),
    );
    sendPage(
      res,
      200,
      <Layout session={session} path="/digests" title={`Contacts behind ${row.scopeLabel}: ${row.metric}`}>
        <p>
          <a href={`/digests/runs/${run.id}`}>Back to {run.subscriptionName}</a>
        </p>
        <p>
          Claimed {formatValue(row.unit, row.claimed)}, observed {formatValue(row.unit, row.observed)} on {row.n}{' '}
          counted contacts ({row.verdict.replaceAll('_', ' ')}). Below: every contact recorded in the claim's period (
          {row.claimPeriod.start} to {row.claimPeriod.end}) for this scope, including any the digest did not count (made
          by the touchpoint's owner, or ad hoc where the organisation does not count those).
        </p>
        <ExportLinks base="/contacts/export" query={filter} what="these contacts" />
        <PagedTable
          caption="Contacts behind this row"
          base={`/digests/runs/${run.id}/rows/${index}`}
          page={page}
          paging={paging}
          rowKey={(o) => o.id}
          empty={<EmptyState title="No contacts were recorded for this row." />}
          columns={contactColumns(names)}
        />
      </Layout>,
    );
  }
}
