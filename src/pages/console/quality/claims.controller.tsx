import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DateTime } from 'luxon';

import { ConsolePage, ConsoleUpload, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService, type CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { CLAIM_VERDICT_FILTERS, ClaimsQuery, CreateClaimDto, UpdateClaimDto } from '../../../claims/claim.dto.js';
import type { Claim } from '../../../claims/claim.entity.js';
import { CLAIMS_CSV_COLUMNS, ClaimsService } from '../../../claims/claims.service.js';
import type { CsvRowError } from '../../../common/csv/csv-import.js';
import { CsvImportRejected } from '../../../common/csv/csv-import.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import type { ClaimProgress } from '../../../digests/claim-progress.js';
import { VERDICT_TEXT } from '../../../digests/digest-render.js';
import { formatValue } from '../../../digests/format.js';
import type { Verdict } from '../../../digests/verdicts.js';
import { METRICS, metricByKey } from '../../../metrics/metric-catalogue.js';
import { PeopleService } from '../../../people/people.service.js';
import { CHANNELS, type Touchpoint } from '../../../touchpoints/touchpoint.entity.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import {
  CsrfField,
  EmptyState,
  ErrorSummary,
  Field,
  FileField,
  PagedTable,
  PostButton,
  SelectField,
  TextareaField,
} from '../components.js';
import { ConsoleController } from '../console-routes.js';
import {
  CSV_FILE_FIELD,
  CSV_UPLOAD_LIMIT_TEXT,
  readCsvUpload,
  uploadedCsv,
  type UploadRequest,
} from '../csv-upload.js';
import { formFields, pagingOf, fieldErrorsOf, postForm, type FormPage } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { changesOf } from './contacts.controller.js';
import { numberOrText, teamChoices } from './form-parts.js';
import { kept, touchpointChoices, touchpointsById, when } from './quality-parts.js';

const FILTERS = ['touchpointId', 'team', 'metric', 'from', 'to', 'verdict'] as const;

/** A claim's verdict as the digest prints it; a claim in no digest yet says so. */
const verdictText = (v: string | undefined) =>
  v === undefined || v === 'none' ? 'not in a digest yet' : (VERDICT_TEXT[v as Verdict] ?? v);

/** The fields of the claim form, as typed. */
type ClaimForm = Partial<Record<keyof CreateClaimDto, string>>;

/** A claim as its form shows it. */
function formOf(c: Claim): ClaimForm {
  return {
    touchpointId: c.touchpointId ?? '',
    team: c.team ?? '',
    channel: c.channel ?? '',
    metric: c.metric,
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    value: String(c.value),
    source: c.source,
    reportedAt: c.reportedAt.toISOString(),
  };
}

/**
 * The form's fields as the API's body: an empty scope field is none (null, so an edit clears it), and a value
 * typed as "96%" is 0.96 (as the CSV import reads it); the DTO then judges it by the API's rules.
 */
export function claimBody(form: ClaimForm): Record<string, unknown> {
  const value = (form.value ?? '').trim();
  const percent = value.endsWith('%') ? numberOrText(value.slice(0, -1)) : undefined;
  return {
    touchpointId: form.touchpointId || null,
    team: form.team || null,
    channel: form.channel || null,
    metric: form.metric ?? '',
    periodStart: form.periodStart ?? '',
    periodEnd: form.periodEnd ?? '',
    value: typeof percent === 'number' ? percent / 100 : numberOrText(value),
    source: form.source ?? '',
    reportedAt: form.reportedAt ?? '',
  };
}

/** Where a claim is about, as people read it. */
export function scopeOf(c: Pick<Claim, 'touchpointId' | 'team'>, names: Map<string, Touchpoint>): string {
  if (c.touchpointId) return names.get(c.touchpointId)?.name ?? 'a touchpoint since removed';
  if (c.team) return `Team ${c.team}`;
  return 'The whole organisation';
}

const valueOf = (c: Pick<Claim, 'metric' | 'value'>) => {
  const m = metricByKey(c.metric);
  return m ? formatValue(m.unit, c.value) : String(c.value);
};

/**
 * An open claim's way to a verdict, as GET /api/v1/claims gives it: "4 of 67 contacts · 63 more by the week of
 * 17 May 2027"; a claim whose period has ended is judged in the digest.
 */
function progressText(p: ClaimProgress | undefined): string {
  if (!p) return 'period over: judged in the digest';
  if (p.contactsNeeded === null) return `${p.contactsSoFar} contacts · never judged`;
  const so = `${p.contactsSoFar} of ${p.contactsNeeded} contacts`;
  if (!p.contactsStillNeeded) return `${so} · enough`;
  if (!p.decisionExpectedWeek)
    return `${so} · ${p.contactsStillNeeded} more, not within its period at ${p.testsPerWeek} a week`;
  const week = DateTime.fromISO(p.decisionExpectedWeek, { zone: 'utc' }).toFormat('d LLL yyyy');
  return `${so} · ${p.contactsStillNeeded} more by the week of ${week}`;
}

/**
 * Claims (admin, quality): the list with its filters, entering, changing and deleting a claim, the CSV import with
 * every bad row shown, and a claim's history, all through ClaimsService as /api/v1/claims reads and writes them.
 */
@ConsoleController('claims')
export class ClaimsPagesController {
  constructor(
    private readonly claims: ClaimsService,
    private readonly touchpoints: TouchpointsService,
    private readonly people: PeopleService,
    private readonly sessions: SessionsService,
  ) {}

  /** The claim form: read as the API's body, shown again with the API's field errors. */
  private readonly page: FormPage<Claim, ClaimForm> = {
    formOf: formFields,
    plainOf: claimBody,
    send: (res, status, session, claim, form, errors) =>
      this.form(session, res, status, { claim: claim ?? undefined, form, errors }),
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
    const asked = formFields(query);
    const { value, errors } = await validateDto(ClaimsQuery, asked);
    const bad = new Set(errors.map((e) => e.field));
    const filter = Object.assign(new ClaimsQuery(), value);
    for (const f of FILTERS) if (bad.has(f)) delete filter[f];
    const paging = await pagingOf(query);
    Object.assign(filter, paging);
    const [page, choices] = await Promise.all([this.claims.list(me, filter), touchpointChoices(this.touchpoints, me)]);
    const [names, verdicts] = await Promise.all([
      touchpointsById(
        this.touchpoints,
        me,
        page.items.map((c) => c.touchpointId),
      ),
      this.claims.verdicts(
        me,
        page.items.map((c) => c.id),
      ),
    ]);
    const progress = await this.claims.progress(me, page.items);
    const keep = kept(Object.fromEntries(FILTERS.map((f) => [f, filter[f]])));
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/claims" title="Claims">
        <p>
          <a href="/claims/new">Enter a claim</a> · <a href="/claims/import">Import claims from CSV</a>
        </p>
        <form method="get" action="/claims" role="search" class="narrow">
          <SelectField
            name="touchpointId"
            label="Touchpoint"
            blank="Any touchpoint"
            value={asked.touchpointId}
            errors={errors}
            options={choices.items.map((t) => ({ value: t.id, label: `${t.name} (${t.channel})` }))}
            hint={choices.total > choices.items.length ? `The first ${choices.items.length} by name.` : undefined}
          />
          <SelectField
            name="team"
            label="Team"
            blank="Any team"
            value={asked.team}
            errors={errors}
            options={teamChoices(choices.items, asked.team)}
          />
          <SelectField
            name="metric"
            label="Metric"
            blank="Any metric"
            value={asked.metric}
            errors={errors}
            options={METRICS.map((m) => ({ value: m.key, label: `${m.key}: ${m.description}` }))}
          />
          <SelectField
            name="verdict"
            label="Verdict in the digest"
            blank="Any verdict"
            value={asked.verdict}
            errors={errors}
            options={CLAIM_VERDICT_FILTERS.map((v) => ({ value: v, label: verdictText(v) }))}
            hint="As the latest digest that holds the claim shows it."
          />
          <Field name="from" label="Period ends on or after (date)" type="date" value={asked.from} errors={errors} />
          <Field name="to" label="Period starts on or before (date)" type="date" value={asked.to} errors={errors} />
          <button type="submit">Show claims</button>
        </form>
        <PagedTable<Claim>
          caption="Claims, newest period first"
          base="/claims"
          query={keep}
          page={page}
          paging={paging}
          rowKey={(c) => c.id}
          empty={
            <EmptyState title="No claims match.">
              <p>
                <a href="/claims/new">Enter a claim</a> or <a href="/claims/import">import them from CSV</a>.
              </p>
            </EmptyState>
          }
          columns={[
            { header: 'Scope', cell: (c) => scopeOf(c, names) },
            { header: 'Channel', cell: (c) => c.channel ?? 'any' },
            { header: 'Metric', cell: (c) => c.metric },
            { header: 'Period', cell: (c) => `${c.periodStart} – ${c.periodEnd}` },
            { header: 'Claimed', cell: (c) => valueOf(c) },
            { header: 'Verdict', cell: (c) => verdictText(verdicts.get(c.id)) },
            { header: 'Towards a verdict', cell: (c) => progressText(progress.get(c.id)) },
            { header: 'Reported in', cell: (c) => c.source },
            { header: 'Reported', cell: (c) => when(c.reportedAt) },
            {
              header: 'Claim',
              cell: (c) => (
                <>
                  <a href={`/claims/${c.id}/edit`} aria-label={`Change: ${scopeOf(c, names)} ${c.metric}`}>
                    Change
                  </a>{' '}
                  ·{' '}
                  <a href={`/claims/${c.id}/history`} aria-label={`History: ${scopeOf(c, names)} ${c.metric}`}>
                    History
                  </a>
                </>
              ),
            },
          ]}
        />
      </Layout>,
    );
  }

  /** The claim form (new or change), with the API's field errors beside their fields. */
  private async form(
    session: CurrentSession,
    res: Response,
    status: number,
    opts: { claim?: Claim; form: ClaimForm; errors: FieldError[] },
  ): Promise<void> {
    const { form, errors, claim } = opts;
    const choices = await touchpointChoices(this.touchpoints, session.actor);
    // a touchpoint beyond the picker's first page stays chosen: saving never drops it unasked
    if (form.touchpointId && !choices.items.some((t) => t.id === form.touchpointId))
      choices.items.push(...(await touchpointsById(this.touchpoints, session.actor, [form.touchpointId])).values());
    const action = claim ? `/claims/${claim.id}` : '/claims';
    sendPage(
      res,
      status,
      <Layout session={session} path="/claims" title={claim ? 'Change a claim' : 'Enter a claim'}>
        <p>
          <a href="/claims">Back to the claims</a>
          {claim && (
            <>
              {' '}
              · <a href={`/claims/${claim.id}/history`}>Its history</a>
            </>
          )}
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action={action} class="narrow" novalidate>
          <CsrfField token={session.csrfToken} />
          <SelectField
            name="touchpointId"
            label="Touchpoint"
            blank="None: a team, or the whole organisation"
            value={form.touchpointId}
            errors={errors}
            options={choices.items.map((t) => ({ value: t.id, label: `${t.name} (${t.channel})` }))}
            hint="A claim is about one touchpoint, or a team, or (neither) the whole organisation."
          />
          <SelectField
            name="team"
            label="Team"
            blank="None"
            value={form.team}
            errors={errors}
            options={teamChoices(choices.items, form.team)}
            hint="Only when no touchpoint is chosen."
          />
          <SelectField
            name="channel"
            label="Channel"
            blank="Any channel (or the touchpoint's)"
            value={form.channel}
            errors={errors}
            options={CHANNELS.map((c) => ({ value: c, label: c }))}
            hint="Needed for a wait claimed for a team or the whole organisation: waits are never pooled."
          />
          <SelectField
            name="metric"
            label="Metric"
            blank="Choose a metric"
            value={form.metric}
            errors={errors}
            options={METRICS.map((m) => ({ value: m.key, label: `${m.key}: ${m.description}` }))}
          />
          <Field name="periodStart" label="Period start" type="date" value={form.periodStart} errors={errors} />
          <Field name="periodEnd" label="Period end" type="date" value={form.periodEnd} errors={errors} />
          <Field
            name="value"
            label="Value claimed"
            value={form.value}
            errors={errors}
            hint="A rate as 0.96 or 96%, a wait in seconds, a rating from 1 to 5."
          />
          <Field name="source" label="Reported in (the meeting)" value={form.source} errors={errors} />
          <Field
            name="reportedAt"
            label="Reported on"
            value={form.reportedAt}
            errors={errors}
            hint="A date (2026-11-23) or a date and time with its offset (2026-11-23T10:00:00Z)."
          />
          <button type="submit">{claim ? 'Save the change' : 'Enter the claim'}</button>
        </form>
        {claim && (
          <>
            <h2>Delete this claim</h2>
            <p>Its history keeps the claim as it was.</p>
            <PostButton action={`/claims/${claim.id}/delete`} csrf={session.csrfToken} label="Delete the claim" />
          </>
        )}
      </Layout>,
    );
  }

  @Get('new')
  @ConsolePage('admin', 'quality')
  async newClaim(@CurrentConsole() session: CurrentSession, @Res() res: Response): Promise<void> {
    await this.form(session, res, 200, { form: {}, errors: [] });
  }

  @Post()
  @ConsolePage('admin', 'quality')
  async create(@CurrentConsole() session: CurrentSession, @Body() body: unknown, @Res() res: Response): Promise<void> {
    await postForm(this.page, session, res, body, null, {
      dto: CreateClaimDto,
      save: (value) => this.claims.create(session.actor, value),
      done: (claim) => ({
        flash: `The claim is entered: ${claim.metric} for ${claim.periodStart} – ${claim.periodEnd}.`,
        next: '/claims',
      }),
    });
  }

  @Get('import')
  @ConsolePage('admin', 'quality')
  importForm(@CurrentConsole() session: CurrentSession, @Res() res: Response): void {
    this.importPage(session, res, 200, '', []);
  }

  @Post('import')
  @ConsolePage('admin', 'quality')
  @ConsoleUpload(readCsvUpload)
  async import(
    @CurrentConsole() session: CurrentSession,
    @Req() req: UploadRequest,
    @Res() res: Response,
  ): Promise<void> {
    const upload = uploadedCsv(req);
    const { csv } = upload;
    if ('refusal' in upload)
      return this.importPage(session, res, upload.refusal.status, csv, [], upload.refusal.message);
    try {
      const created = await this.claims.importCsv(session.actor, csv);
      await this.sessions.flash(session.actor, `Imported ${created.length} claim${created.length === 1 ? '' : 's'}.`);
      res.redirect(303, '/claims');
    } catch (e) {
      if (e instanceof CsvImportRejected) {
        const rows = (e.getResponse() as { errors: CsvRowError[] }).errors;
        return this.importPage(session, res, 400, csv, rows);
      }
      const fieldErrors = fieldErrorsOf(e);
      if (!fieldErrors) throw e;
      return this.importPage(
        session,
        res,
        400,
        csv,
        fieldErrors.map((f) => ({ row: 0, line: 0, ...f })),
      );
    }
  }

  @Get(':id/edit')
  @ConsolePage('admin', 'quality')
  async edit(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const claim = await this.claims.get(session.actor, id);
    await this.form(session, res, 200, { claim, form: formOf(claim), errors: [] });
  }

  @Post(':id')
  @ConsolePage('admin', 'quality')
  async update(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const claim = await this.claims.get(session.actor, id);
    await postForm(this.page, session, res, body, claim, {
      dto: UpdateClaimDto,
      save: (value) => this.claims.update(session.actor, id, value),
      done: () => ({ flash: 'The claim is changed; its history keeps what it was.', next: `/claims/${id}/history` }),
    });
  }

  @Post(':id/delete')
  @ConsolePage('admin', 'quality')
  async remove(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.claims.remove(session.actor, id);
    await this.sessions.flash(session.actor, 'The claim is deleted; its history keeps the claim as it was.');
    res.redirect(303, `/claims/${id}/history`);
  }

  @Get(':id/history')
  @ConsolePage('admin', 'quality')
  async history(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    const paging = await pagingOf(query);
    const page = await this.claims.history(me, id, paging);
    const current = await this.claims.get(me, id).catch(() => null);
    const editors = new Map<string, string>();
    for (const pid of new Set(page.items.map((e) => e.editedBy)))
      if (pid)
        editors.set(
          pid,
          await this.people.get(me.organizationId, pid).then(
            (p) => p.name,
            () => 'someone since removed',
          ),
        );
    const last = current ?? (page.items.at(-1)?.before as Partial<Claim> | undefined);
    const names = await touchpointsById(this.touchpoints, me, [last?.touchpointId ?? null]);
    const title = last ? `History of ${scopeOf(last as Claim, names)}: ${last.metric}` : 'History of a claim';
    sendPage(
      res,
      200,
      <Layout session={session} path="/claims" title={title}>
        <p>
          <a href="/claims">Back to the claims</a>
          {current && (
            <>
              {' '}
              · <a href={`/claims/${id}/edit`}>Change it</a>
            </>
          )}
        </p>
        {current ? (
          <p>
            Now: {valueOf(current)} for {current.periodStart} – {current.periodEnd}, reported in {current.source}.
          </p>
        ) : (
          <p>This claim is deleted; below is every change it had.</p>
        )}
        <PagedTable
          caption="Changes of this claim, oldest first"
          base={`/claims/${id}/history`}
          page={page}
          paging={paging}
          rowKey={(e) => e.id}
          empty={<EmptyState title="No changes are recorded." />}
          columns={[
            { header: 'Version', cell: (e) => String(e.version) },
            { header: 'What', cell: (e) => e.action },
            { header: 'When', cell: (e) => when(e.editedAt) },
            { header: 'By', cell: (e) => (e.editedBy ? (editors.get(e.editedBy) ?? '') : 'someone since removed') },
            { header: 'Through', cell: (e) => e.via },
            {
              header: 'What changed',
              cell: (e) => (
                <ul>
                  {(e.after ? changesOf(e.before, e.after) : ['deleted']).map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              ),
            },
          ]}
        />
      </Layout>,
    );
  }

  /** The import form; after a refused import, every bad row (row, field, rule, message) above the kept text. */
  private importPage(
    session: CurrentSession,
    res: Response,
    status: number,
    csv: string,
    rows: CsvRowError[],
    fileError?: string,
  ) {
    const columns = [...CLAIMS_CSV_COLUMNS.optional, ...CLAIMS_CSV_COLUMNS.required];
    sendPage(
      res,
      status,
      <Layout session={session} path="/claims" title="Import claims from CSV">
        <p>
          <a href="/claims">Back to the claims</a>
        </p>
        {fileError && (
          <div class="summary" role="alert">
            <p>
              <strong>Nothing was imported: {fileError}</strong>
            </p>
          </div>
        )}
        {rows.length > 0 && (
          <div class="summary" role="alert">
            <p>
              <strong>Nothing was imported: {new Set(rows.map((r) => r.row)).size} row(s) have errors.</strong> Correct
              them below and import again (all rows or none).
            </p>
            <div class="table-wrap" role="region" aria-label="Rows refused" tabindex={0}>
              <table>
                <caption>Rows refused</caption>
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
                  {rows.map((r, i) => (
                    <tr key={`${r.row}-${r.field}-${r.rule}-${i}`}>
                      <td>{r.row ? String(r.row) : '—'}</td>
                      <td>{r.line ? String(r.line) : '—'}</td>
                      <td>{r.field}</td>
                      <td>{r.rule}</td>
                      <td>{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
        <p>
          One claim a row, with a header line naming the columns: {columns.join(', ')}. The touchpoint by its exact name
          (or leave it empty for a team or the whole organisation); a value as 0.96 or 96%.
        </p>
        <form method="post" action="/claims/import" enctype="multipart/form-data">
          <CsrfField token={session.csrfToken} />
          <FileField
            name={CSV_FILE_FIELD}
            label="A CSV file of claims"
            accept=".csv,text/csv"
            hint={`Saved from a spreadsheet as CSV UTF-8, at most ${CSV_UPLOAD_LIMIT_TEXT}.`}
            error={fileError}
          />
          <TextareaField
            name="csv"
            label="Or paste the claims, as CSV"
            value={csv}
            rows={12}
            hint="Used when no file is chosen: the rows from a spreadsheet saved as CSV."
          />
          <button type="submit">Import the claims</button>
        </form>
      </Layout>,
    );
  }
}
