import { Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ConsolePage, CurrentConsole } from '../../../auth/console.guard.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { formatDuration } from '../../../common/durations.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import { sendEvidenceFile } from '../../../evidence/evidence-download.js';
import type { Evidence } from '../../../evidence/evidence.entity.js';
import { EvidenceService } from '../../../evidence/evidence.service.js';
import { OutcomesQuery } from '../../../outcomes/outcome.dto.js';
import { RESOLUTIONS, type Outcome } from '../../../outcomes/outcome.entity.js';
import { OutcomesService } from '../../../outcomes/outcomes.service.js';
import { PeopleService } from '../../../people/people.service.js';
import { asks, type ChannelField } from '../../../touchpoints/channel-fields.js';
import { CHANNELS, type Touchpoint } from '../../../touchpoints/touchpoint.entity.js';
import { TouchpointsService } from '../../../touchpoints/touchpoints.service.js';
import { EmptyState, Field, PagedTable, type Column, SelectField } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import {
  allPages,
  ExportLinks,
  isExportFormat,
  kept,
  sendExport,
  touchpointChoices,
  touchpointsById,
  when,
} from './quality-parts.js';

const FILTERS = ['touchpointId', 'team', 'channel', 'resolution', 'from', 'to'] as const;

/** The columns of a contacts export, and each contact's cells (a channel's own facts empty where it asks none). */
const EXPORT_HEADER = [
  'contact_id',
  'attempted_at',
  'touchpoint',
  'channel',
  'team',
  'reached_human',
  'seconds_to_human',
  'hold_seconds',
  'bot_first',
  'answered_question',
  'queue_seconds',
  'queue_system_worked',
  'staff_free',
  'transfers',
  'disconnects',
  'repeated_story',
  'resolution',
  'options_explained',
  'courtesy',
  'knowledge',
  'notes',
];
export function contactCells(o: Outcome, tp: Touchpoint | undefined) {
  return [
    o.id,
    o.attemptedAt,
    tp?.name ?? '',
    tp?.channel ?? '',
    tp?.team ?? '',
    o.reachedHuman,
    o.secondsToHuman,
    o.holdSeconds,
    o.botFirst,
    o.answeredQuestion,
    o.queueSeconds,
    o.queueSystemWorked,
    o.staffFree,
    o.transfers,
    o.disconnects,
    o.repeatedStory,
    o.resolution,
    o.optionsExplained,
    o.courtesy,
    o.knowledge,
    o.notes,
  ];
}

/** The columns of a list of contacts (shared by the contacts page and a digest row's drill-down). */
export function contactColumns(names: Map<string, Touchpoint>): Column<Outcome>[] {
  return [
    {
      header: 'Attempted',
      cell: (o) => <a href={`/contacts/${o.id}`}>{when(o.attemptedAt)}</a>,
    },
    { header: 'Touchpoint', cell: (o) => names.get(o.touchpointId)?.name ?? '' },
    { header: 'Reached a human', cell: (o) => (o.reachedHuman ? 'yes' : 'no') },
    { header: 'Wait', cell: (o) => (o.secondsToHuman === null ? '' : formatDuration(o.secondsToHuman)) },
    { header: 'Transfers', cell: (o) => String(o.transfers) },
    { header: 'Resolution', cell: (o) => o.resolution },
    { header: 'Notes', cell: (o) => (o.notes && o.notes.length > 80 ? `${o.notes.slice(0, 80)}…` : (o.notes ?? '')) },
  ];
}

const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');
const seconds = (v: number | null) => (v === null ? '—' : formatDuration(v));

/** The facts each channel records of its own, by the field that holds them (see channel-fields.ts). */
function channelFacts(o: Outcome): Array<[ChannelField, [string, string]]> {
  return [
    ['botFirst', ['A bot came first', yesNo(o.botFirst)]],
    ['secondsToHuman', ['Wait until a human', seconds(o.secondsToHuman)]],
    ['answeredQuestion', ['The reply answered the question', yesNo(o.answeredQuestion)]],
    ['holdSeconds', ['On hold', seconds(o.holdSeconds)]],
    ['queueSeconds', ['Queued', seconds(o.queueSeconds)]],
    [
      'queueSystemWorked',
      ['Ticket or queue system worked', o.queueSystemWorked === null ? 'none' : yesNo(o.queueSystemWorked)],
    ],
    ['staffFree', ['Staff free on arrival', yesNo(o.staffFree)]],
    ['transfers', ['Transfers', String(o.transfers)]],
    ['disconnects', ['Dropped', String(o.disconnects)]],
  ];
}

/** What changed in one save of the outcome: each field whose value differs, before → after. */
export function changesOf(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  if (!before) return ['first save'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const show = (v: unknown) => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
}

const KIND_WORDS: Record<Evidence['kind'], string> = { image: 'image', pdf: 'PDF', audio: 'audio recording' };
const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} kB`;

/** The tester's files of one contact, each downloaded as an attachment (never shown inline). */
function EvidenceList({ outcomeId, files }: { outcomeId: string; files: Evidence[] }) {
  if (!files.length) return <p>No files attached.</p>;
  return (
    <ul class="evidence-list">
      {files.map((f) => (
        <li key={f.id}>
          <a href={`/contacts/${outcomeId}/evidence/${f.id}`} download={f.fileName}>
            {f.fileName}
          </a>{' '}
          ({KIND_WORDS[f.kind]}, {kilobytes(f.bytes)}, {when(f.createdAt)}
          {f.metadataStripped ? '; location and camera details removed' : '; kept as the tester sent it'})
        </li>
      ))}
    </ul>
  );
}

/**
 * Contacts (admin, quality): the recorded outcomes, filtered, paged and exported, and one contact with its
 * answers, notes and the audit trail of its saves, all through OutcomesService as GET /api/v1/outcomes reads them.
 */
@ConsoleController('contacts')
export class ContactsPagesController {
  constructor(
    private readonly outcomes: OutcomesService,
    private readonly touchpoints: TouchpointsService,
    private readonly people: PeopleService,
    private readonly evidence: EvidenceService,
  ) {}

  private async filtered(query: Record<string, unknown>) {
    const asked = formFields(query);
    const { value, errors } = await validateDto(OutcomesQuery, asked);
    const bad = new Set(errors.map((e) => e.field));
    const filter = Object.assign(new OutcomesQuery(), value);
    for (const f of FILTERS) if (bad.has(f)) delete filter[f];
    if (bad.has('limit')) filter.limit = 50;
    if (bad.has('offset')) filter.offset = 0;
    return { asked, errors, filter, kept: kept(Object.fromEntries(FILTERS.map((f) => [f, filter[f]]))) };
  }

  @Get()
  @ConsolePage('admin', 'quality')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    const { asked, errors, filter, kept: keep } = await this.filtered(query);
    const [page, choices] = await Promise.all([
      this.outcomes.list(me, filter),
      touchpointChoices(this.touchpoints, me),
    ]);
    const names = await touchpointsById(
      this.touchpoints,
      me,
      page.items.map((o) => o.touchpointId),
    );
    sendPage(
      res,
      errors.length ? 400 : 200,
      <Layout session={session} path="/contacts" title="Contacts">
        <form method="get" action="/contacts" role="search" class="narrow">
          <SelectField
            name="touchpointId"
            label="Touchpoint"
            blank="Any touchpoint"
            value={asked.touchpointId}
            errors={errors}
            options={choices.items.map((t) => ({ value: t.id, label: `${t.name} (${t.channel})` }))}
            hint={choices.total > choices.items.length ? `The first ${choices.items.length} by name.` : undefined}
          />
          <Field name="team" label="Team" value={asked.team} errors={errors} />
          <SelectField
            name="channel"
            label="Channel"
            blank="Any channel"
            value={asked.channel}
            errors={errors}
            options={CHANNELS.map((c) => ({ value: c, label: c }))}
          />
          <SelectField
            name="resolution"
            label="Resolution"
            blank="Any"
            value={asked.resolution}
            errors={errors}
            options={RESOLUTIONS.map((r) => ({ value: r, label: r }))}
          />
          <Field name="from" label="Attempted from (date)" type="date" value={asked.from} errors={errors} />
          <Field name="to" label="Attempted before (date)" type="date" value={asked.to} errors={errors} />
          <button type="submit">Show contacts</button>
        </form>
        <ExportLinks base="/contacts/export" query={keep} what="these contacts" />
        <PagedTable
          caption="Contacts"
          base="/contacts"
          query={keep}
          page={page}
          paging={{ limit: filter.limit, offset: filter.offset }}
          rowKey={(o) => o.id}
          empty={<EmptyState title="No contacts match." />}
          columns={contactColumns(names)}
        />
      </Layout>,
    );
  }

  @Get('export/:format')
  @ConsolePage('admin', 'quality')
  async export(
    @CurrentConsole() session: CurrentSession,
    @Param('format') format: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    if (!isExportFormat(format)) throw new NotFoundException('No such export format');
    const { filter } = await this.filtered(query);
    const me = session.actor;
    const items = await allPages((limit, offset) => this.outcomes.list(me, { ...filter, limit, offset }));
    const names = await touchpointsById(
      this.touchpoints,
      me,
      items.map((o) => o.touchpointId),
    );
    await sendExport(
      res,
      format,
      'contacts',
      EXPORT_HEADER,
      items.map((o) => contactCells(o, names.get(o.touchpointId))),
    );
  }

  /** One of a contact's files, as GET /api/v1/outcomes/:id/evidence/:evidenceId sends it. */
  @Get(':id/evidence/:evidenceId')
  @ConsolePage('admin', 'quality')
  async evidenceFile(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @UuidParam('evidenceId') evidenceId: string,
    @Res() res: Response,
  ): Promise<void> {
    sendEvidenceFile(res, await this.evidence.download(session.actor, id, evidenceId));
  }

  @Get(':id')
  @ConsolePage('admin', 'quality')
  async one(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    const outcome = await this.outcomes.get(me, id);
    const [audit, touchpoint, files] = await Promise.all([
      this.outcomes.auditTrail(me, id),
      this.touchpoints.get(me.organizationId, outcome.touchpointId),
      this.evidence.list(me, id),
    ]);
    const editors = new Map<string, string>();
    for (const pid of new Set([outcome.testerId, ...audit.map((e) => e.editedBy)]))
      if (pid)
        editors.set(
          pid,
          await this.people.get(me.organizationId, pid).then(
            (p) => p.name,
            () => 'someone since removed',
          ),
        );
    const facts: Array<[string, string]> = [
      ['Attempted', when(outcome.attemptedAt)],
      ['Tester', editors.get(outcome.testerId) ?? ''],
      ['Made as', outcome.assignmentId ? 'a planned test' : 'an ad-hoc contact'],
      ['Reached a human', yesNo(outcome.reachedHuman)],
      // the channel's own facts only: a store visit has no dropped lines, a call no queue
      ...channelFacts(outcome)
        .filter(([field]) => asks(touchpoint.channel, field))
        .map(([, fact]) => fact),
      ['Had to repeat the story', yesNo(outcome.repeatedStory)],
      ['Resolution', outcome.resolution],
      ['Told the options', yesNo(outcome.optionsExplained)],
      ['Courtesy (1–5)', outcome.courtesy === null ? '—' : String(outcome.courtesy)],
      ['Knowledge (1–5)', outcome.knowledge === null ? '—' : String(outcome.knowledge)],
      ['Follow-up promised by', outcome.promisedFollowUpBy ?? '—'],
    ];
    const answers = Object.entries(outcome.answers ?? {});
    sendPage(
      res,
      200,
      <Layout session={session} path="/contacts" title={`Contact with ${touchpoint.name}`}>
        <p>
          <a href={`/results/touchpoints/${touchpoint.id}`}>Results of {touchpoint.name}</a> ·{' '}
          <a href={`/contacts?touchpointId=${touchpoint.id}`}>Its other contacts</a>
        </p>
        <h2>What happened</h2>
        <dl class="facts">
          {facts.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
        <h2>Notes</h2>
        {outcome.notes ? <p class="notes">{outcome.notes}</p> : <p>No notes.</p>}
        <h2>Evidence</h2>
        <EvidenceList outcomeId={outcome.id} files={files} />
        <h2>Answers to the scenario's questions</h2>
        {answers.length ? (
          <dl class="facts">
            {answers.map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
              </>
            ))}
          </dl>
        ) : (
          <p>No extra questions were asked.</p>
        )}
        <div class="table-wrap" role="region" aria-label="Saves of this contact" tabindex={0}>
          <table>
            <caption>Saves of this contact, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">By</th>
                <th scope="col">Through</th>
                <th scope="col">What changed</th>
              </tr>
            </thead>
            <tbody>
              {audit.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.editedAt)}</td>
                  <td>{e.editedBy ? (editors.get(e.editedBy) ?? '') : 'someone since removed'}</td>
                  <td>{e.via}</td>
                  <td>
                    <ul>
                      {changesOf(e.before, e.after).map((c) => (
                        <li key={c}>{c}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
    );
  }
}
