import {
  Body,
  ConflictException,
  Get,
  HttpException,
  NotFoundException,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ComponentChildren } from 'preact';

import { missedFrom } from '../../../assignments/assignment-lifecycle.js';
import type { AssignmentRow } from '../../../assignments/assignment-visibility.service.js';
import { AssignmentVisibilityService } from '../../../assignments/assignment-visibility.service.js';
import { AssignmentsQuery, DeclineDto } from '../../../assignments/assignment.dto.js';
import { ASSIGNMENT_STATUSES } from '../../../assignments/assignment.entity.js';
import { AssignmentsRepository } from '../../../assignments/assignments.repository.js';
import { TESTER_EXPLANATIONS } from '../../../assignments/withdrawal-reasons.js';
import { ConsolePage, ConsoleUpload, CurrentConsole } from '../../../auth/console.guard.js';
import { SessionsService } from '../../../auth/sessions/sessions.service.js';
import type { CurrentSession } from '../../../auth/sessions/sessions.service.js';
import { PlanChangesService } from '../../../campaigns/plan-changes.service.js';
import { TestWithdrawnException } from '../../../campaigns/withdrawals.service.js';
import { Clock } from '../../../common/clock.js';
import { requestLocale, windowText } from '../../../common/locale.js';
import { MAX_PAGE_SIZE } from '../../../common/pagination.js';
import { UuidParam } from '../../../common/validation/uuid-param.js';
import { validateDto } from '../../../common/validation/validate-dto.js';
import { FieldValidationException } from '../../../common/validation/validation-errors.js';
import type { FieldError } from '../../../common/validation/validation-errors.js';
import {
  readEvidenceForm,
  UPLOAD_REFUSAL,
  type WithUploadRefusal,
} from '../../../evidence/evidence-upload.interceptor.js';
import { EvidenceRefused, EvidenceService, type UploadedFile as Uploaded } from '../../../evidence/evidence.service.js';
import type { Outcome } from '../../../outcomes/outcome.entity.js';
import { OutcomesRepository } from '../../../outcomes/outcomes.repository.js';
import { OutcomesService } from '../../../outcomes/outcomes.service.js';
import { PeopleRepository } from '../../../people/people.repository.js';
import type { EvidenceSectionInfo } from '../../evidence-section.js';
import { checkAdHocForm, checkOutcomeForm, textFields } from '../../outcome-form-check.js';
import { initialValues, OutcomeForm, formState } from '../../outcome-form.js';
import type { FormContext, FormInfo, FormValues } from '../../outcome-form.js';
import { EmptyState, ErrorSummary, PagedTable } from '../components.js';
import { ConsoleController } from '../console-routes.js';
import { formFields, pagingOf } from '../forms.js';
import { Layout, sendPage } from '../layout.js';
import { RecordedOutcome } from './recorded-outcome.js';

const STATUS_WORDS: Record<string, string> = {
  planned: 'Planned',
  revealed: 'To do',
  completed: 'Recorded',
  declined: 'Declined',
  missed: 'Missed',
  cancelled: 'Withdrawn',
};

/** A window in the tester's own zone and the reader's date format, as the form and the reveal mail give it. */
const windowIn = (zone: string, locale: string) => (a: AssignmentRow) =>
  windowText(a.windowStart, a.windowEnd, zone, locale);

/** A touchpoint (and scenario) a contact without a test may be recorded at, and one of the tester's tests there. */
interface AdHocChoice {
  key: string;
  label: string;
  example: string;
  touchpointId: string;
  scenarioId: string | null;
}

/** One test as this page needs it: the row the tester may see, its form's context, and what they recorded. */
interface TestState {
  row: AssignmentRow;
  form: FormContext;
  outcome: Outcome | null;
  missedAt: Date;
}

/**
 * "My tests" (tester): their revealed tests with the brief and the outcome form, and every past one with what
 * they recorded. Reads through AssignmentVisibilityService (a tester sees their own tests from reveal on, as GET
 * /api/v1/assignments), records through OutcomesService.recordForAssignment (PUT …/outcome) and declines through
 * PlanChangesService.decline (POST …/decline), with the session's actor: the same rules, the same answers.
 */
@ConsoleController('my/tests')
export class MyTestsController {
  constructor(
    private readonly visibility: AssignmentVisibilityService,
    private readonly assignments: AssignmentsRepository,
    private readonly outcomes: OutcomesService,
    private readonly outcomeRows: OutcomesRepository,
    private readonly changes: PlanChangesService,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
    private readonly evidence: EvidenceService,
    private readonly people: PeopleRepository,
  ) {}

  @Get()
  @ConsolePage('tester')
  async list(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const me = session.actor;
    const person = await this.people.byId(me.organizationId, me.personId);
    const windowOf = windowIn(person?.timezone ?? 'UTC', requestLocale(req));
    const paging = await pagingOf(query, 20);
    const asked = formFields(query).status;
    const status = ASSIGNMENT_STATUSES.find((s) => s === asked);
    const mine = (extra: Partial<AssignmentsQuery>) =>
      this.visibility.list(me, Object.assign(new AssignmentsQuery(), { testerId: me.personId, ...extra }));
    const upcoming = await mine({ status: 'revealed', limit: 100, offset: 0 });
    const all = await mine({ ...(status ? { status } : {}), ...paging });
    sendPage(
      res,
      200,
      <Layout session={session} path="/my/tests" title="My tests">
        <h2>To do</h2>
        {upcoming.items.length ? (
          <ul class="cards" aria-label="Tests to do">
            {upcoming.items.map((a) => (
              <li key={a.id}>
                <h3>
                  <a href={`/my/tests/${a.id}`}>{a.touchpoint.name}</a>
                </h3>
                <p>{windowOf(a)}</p>
                <p>{a.scenario ? `${a.scenario.title}: ${a.scenario.brief}` : 'An ordinary enquiry.'}</p>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title="No test to do now.">
            <p>A test shows here once it is revealed to you, with its brief and the form to record it.</p>
          </EmptyState>
        )}
        <p>
          <a href="/my/tests/ad-hoc">Record a contact made without a test</a>
        </p>
        <h2>All my tests</h2>
        <form method="get" action="/my/tests" class="narrow">
          <label for="status">Show</label>
          <select id="status" name="status">
            <option value="">Every test</option>
            {ASSIGNMENT_STATUSES.filter((s) => s !== 'planned').map((s) => (
              <option value={s} selected={s === status} key={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
          <button type="submit">Show</button>
        </form>
        <PagedTable
          caption="My tests"
          base="/my/tests"
          query={status ? { status } : {}}
          page={all}
          paging={paging}
          rowKey={(a) => a.id}
          empty={<EmptyState title={status ? 'No test of that kind.' : 'No test yet.'} />}
          columns={[
            { header: 'Touchpoint', cell: (a) => <a href={`/my/tests/${a.id}`}>{a.touchpoint.name}</a> },
            { header: 'When', cell: windowOf },
            { header: 'Status', cell: (a) => STATUS_WORDS[a.status] ?? a.status },
          ]}
        />
      </Layout>,
    );
  }

  /**
   * What a contact without a test may be made at: each touchpoint (and scenario) of the tester's own tests, the
   * ones the API shows them, so the page names nothing they could not read (touchpoints are staff's to list).
   */
  private async adHocChoices(session: CurrentSession): Promise<AdHocChoice[]> {
    const me = session.actor;
    const query = Object.assign(new AssignmentsQuery(), { testerId: me.personId, limit: MAX_PAGE_SIZE, offset: 0 });
    const choices = new Map<string, AdHocChoice>();
    for (const a of (await this.visibility.list(me, query)).items) {
      const key = `${a.touchpointId}/${a.scenarioId ?? ''}`;
      if (a.testerId !== me.personId || choices.has(key)) continue;
      const label = `${a.touchpoint.name} (${a.touchpoint.channel})${a.scenario ? ` — ${a.scenario.title}` : ''}`;
      choices.set(key, { key, label, example: a.id, touchpointId: a.touchpointId, scenarioId: a.scenarioId });
    }
    return [...choices.values()].sort((x, y) => x.label.localeCompare(y.label));
  }

  /** The form's context for a contact made at `choice`: its touchpoint, scenario and questions, and "now". */
  private async adHocForm(choice: AdHocChoice, now: Date, locale: string): Promise<FormContext | null> {
    const found = await this.assignments.testerForm(choice.example);
    if (!found) return null;
    const { testerName, zone, touchpoint, scenario } = found;
    return { touchpoint, scenario, window: { start: now, end: now }, zone, testerName, locale };
  }

  private adHocPage(
    session: CurrentSession,
    choices: AdHocChoice[],
    picked: { choice: AdHocChoice; form: FormContext; values: FormValues; errors: FieldError[] } | null,
    refusal: FieldError[] = [],
  ) {
    return (
      <Layout session={session} path="/my/tests" title="Record a contact made without a test">
        <p>
          <a href="/my/tests">All my tests</a>
        </p>
        <ErrorSummary errors={refusal} />
        {choices.length === 0 ? (
          <EmptyState title="Nothing to record a contact at yet.">
            <p>Once a test is revealed to you, you can record contacts at its touchpoint here too.</p>
          </EmptyState>
        ) : (
          <form method="get" action="/my/tests/ad-hoc" class="narrow">
            <label for="at">Where did you make the contact?</label>
            <select id="at" name="at">
              {choices.map((c) => (
                <option value={c.key} selected={c.key === picked?.choice.key} key={c.key}>
                  {c.label}
                </option>
              ))}
            </select>
            <button type="submit">{picked ? 'Change' : 'Next'}</button>
          </form>
        )}
        {picked && (
          <OutcomeForm
            ctx={picked.form}
            state={formState(picked.values, picked.errors)}
            errors={picked.errors.length}
            info={{
              action: '/my/tests/ad-hoc',
              declineAction: '',
              editing: false,
              csrf: session.csrfToken,
              adHoc: { at: picked.choice.key },
            }}
          />
        )}
      </Layout>
    );
  }

  @Get('ad-hoc')
  @ConsolePage('tester')
  async adHoc(
    @CurrentConsole() session: CurrentSession,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const choices = await this.adHocChoices(session);
    const choice = choices.find((c) => c.key === formFields(query).at);
    const now = this.clock.now();
    const form = choice ? await this.adHocForm(choice, now, requestLocale(req)) : null;
    const picked = choice && form ? { choice, form, values: initialValues(form, null, now), errors: [] } : null;
    sendPage(res, 200, this.adHocPage(session, choices, picked));
  }

  @Post('ad-hoc')
  @ConsolePage('tester')
  async saveAdHoc(
    @CurrentConsole() session: CurrentSession,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const values = textFields(formFields(body));
    const choices = await this.adHocChoices(session);
    const choice = choices.find((c) => c.key === values.at);
    const now = this.clock.now();
    const form = choice ? await this.adHocForm(choice, now, requestLocale(req)) : null;
    if (!choice || !form) {
      const refusal = [{ field: 'at', rule: 'isIn', message: 'Choose where you made the contact' }];
      return sendPage(res, 400, this.adHocPage(session, choices, null, refusal));
    }
    const at = { touchpointId: choice.touchpointId, scenarioId: choice.scenarioId };
    const { value, errors } = await checkAdHocForm(values, form, now, at);
    const again = (list: FieldError[]) =>
      sendPage(res, 400, this.adHocPage(session, choices, { choice, form, values, errors: list }));
    if (errors.length) return again(errors);
    try {
      await this.outcomes.recordAdHoc(session.actor, value);
    } catch (error) {
      if (error instanceof FieldValidationException) return again(error.errors);
      throw error;
    }
    await this.sessions.flash(session.actor, `Recorded your contact at ${form.touchpoint.name}. Thank you.`);
    res.redirect(303, '/my/tests');
  }

  /** The caller's own test as the API shows it to them (404 before its reveal, or for anyone else's). */
  private async load(session: CurrentSession, id: string, req: Request): Promise<TestState> {
    const row = await this.visibility.get(session.actor, id);
    // staff who also test see every test through the API; this page is for their own
    if (row.testerId !== session.actor.personId) throw new NotFoundException(`Assignment ${id} not found`);
    const found = await this.assignments.testerForm(id);
    if (!found) throw new NotFoundException(`Assignment ${id} not found`);
    const { testerName, zone, window, touchpoint, scenario } = found;
    return {
      row,
      form: { touchpoint, scenario, window, zone, testerName, locale: requestLocale(req) },
      outcome: await this.outcomeRows.byAssignment(id),
      missedAt: missedFrom(window.end, found.graceMinutes),
    };
  }

  private info(
    id: string,
    session: CurrentSession,
    state: TestState,
    now: Date,
    evidence: FormInfo['evidence'] = 'later',
  ): FormInfo {
    return {
      action: `/my/tests/${id}`,
      declineAction: `/my/tests/${id}/decline`,
      editing: Boolean(state.outcome),
      editableUntil: state.outcome?.editableUntil,
      canDecline: now < state.form.window.start,
      csrf: session.csrfToken,
      evidence,
    };
  }

  /** The saved contact's files and where to attach and remove them ('later' before the first save). */
  private async evidenceOf(session: CurrentSession, state: TestState, error?: string) {
    if (!state.outcome) return 'later' as const;
    const id = state.row.id;
    const info: EvidenceSectionInfo = {
      action: `/my/tests/${id}/evidence`,
      removeAction: (evidenceId) => `/my/tests/${id}/evidence/${evidenceId}/remove`,
      items: await this.evidence.listOwn(session.actor, state.outcome.id),
      error,
      csrf: session.csrfToken,
    };
    return info;
  }

  /** Why nothing can be recorded for the test now, if so. */
  private async closedBecause(state: TestState, now: Date): Promise<string | null> {
    const { row, outcome } = state;
    if (outcome) return now > outcome.editableUntil ? 'The 48 hours to change what you recorded have passed.' : null;
    if (row.status === 'declined') return `You declined this test${row.declineReason ? `: ${row.declineReason}` : ''}.`;
    if (row.status === 'cancelled') {
      const why = row.cancellation ? `: ${TESTER_EXPLANATIONS[row.cancellation.reason]}` : '';
      return `This test was withdrawn${why}. Please do not make the contact.`;
    }
    if (row.status !== 'revealed') return `This test is ${row.status}; nothing more can be recorded for it.`;
    if (now >= state.missedAt) return 'The time to record this test has passed: it is missed.';
    const why = await this.assignments.whyIneligible(row.id);
    return why ? `This test was withdrawn: ${TESTER_EXPLANATIONS[why]}. Please do not make the contact.` : null;
  }

  private page(session: CurrentSession, state: TestState, body: ComponentChildren) {
    return (
      <Layout session={session} path="/my/tests" title={`Test contact: ${state.form.touchpoint.name}`}>
        <p>
          <a href="/my/tests">All my tests</a>
        </p>
        {body}
      </Layout>
    );
  }

  @Get(':id')
  @ConsolePage('tester')
  async show(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const state = await this.load(session, id, req);
    const now = this.clock.now();
    const closed = await this.closedBecause(state, now);
    if (closed) {
      return sendPage(
        res,
        200,
        this.page(
          session,
          state,
          <>
            <p class="hint">{closed}</p>
            {state.outcome && <RecordedOutcome form={state.form} outcome={state.outcome} />}
          </>,
        ),
      );
    }
    const values = initialValues(state.form, state.outcome, now);
    await this.sendForm(res, 200, session, state, values, [], now);
  }

  private async sendForm(
    res: Response,
    status: number,
    session: CurrentSession,
    state: TestState,
    values: FormValues,
    errors: FieldError[],
    now: Date,
    evidenceError?: string,
  ): Promise<void> {
    const info = this.info(state.row.id, session, state, now, await this.evidenceOf(session, state, evidenceError));
    sendPage(
      res,
      status,
      this.page(
        session,
        state,
        <OutcomeForm ctx={state.form} state={formState(values, errors)} errors={errors.length} info={info} />,
      ),
    );
  }

  @Post(':id')
  @ConsolePage('tester')
  async save(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const state = await this.load(session, id, req);
    const values = textFields(formFields(body));
    const now = this.clock.now();
    const { value, errors } = await checkOutcomeForm(values, state.form, now);
    if (errors.length) return await this.sendForm(res, 400, session, state, values, errors, now);
    try {
      await this.outcomes.recordForAssignment(session.actor, id, value);
    } catch (error) {
      if (error instanceof FieldValidationException)
        return await this.sendForm(res, 400, session, state, values, error.errors, now);
      if (error instanceof HttpException && error.getStatus() < 500) return this.refused(res, session, state, error);
      throw error;
    }
    // the form itself then says "Saved. You can change it until …" (a status), so no flash says it twice
    res.redirect(303, `/my/tests/${id}`);
  }

  /** Attaches one file to the saved contact, as POST /api/v1/outcomes/:id/evidence does. */
  @Post(':id/evidence')
  @ConsolePage('tester')
  @ConsoleUpload(readEvidenceForm)
  async attachEvidence(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @UploadedFile() file: Uploaded | undefined,
    @Req() req: Request & WithUploadRefusal,
    @Res() res: Response,
  ): Promise<void> {
    const state = await this.load(session, id, req);
    const now = this.clock.now();
    if (!state.outcome) {
      const first = new ConflictException('Save what happened first; then you can attach files to it.');
      return this.refused(res, session, state, first);
    }
    try {
      if (req[UPLOAD_REFUSAL]) throw req[UPLOAD_REFUSAL];
      await this.evidence.attach(session.actor, state.outcome.id, file);
    } catch (error) {
      if (error instanceof EvidenceRefused) {
        const values = initialValues(state.form, state.outcome, now);
        return this.sendForm(res, error.getStatus(), session, state, values, [], now, error.fieldError.message);
      }
      if (error instanceof HttpException && error.getStatus() < 500) return this.refused(res, session, state, error);
      throw error;
    }
    res.redirect(303, `/my/tests/${id}#evidence`);
  }

  /** Removes a file the tester attached, while the contact can still be changed. */
  @Post(':id/evidence/:evidenceId/remove')
  @ConsolePage('tester')
  async removeEvidence(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @UuidParam('evidenceId') evidenceId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const state = await this.load(session, id, req);
    if (!state.outcome) throw new NotFoundException(`Evidence ${evidenceId} not found`);
    try {
      await this.evidence.remove(session.actor, state.outcome.id, evidenceId);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500 && error.getStatus() !== 404)
        return this.refused(res, session, state, error);
      throw error;
    }
    res.redirect(303, `/my/tests/${id}#evidence`);
  }

  /** A 4xx from the service (withdrawn, closed, too late to edit) as a page, with its status. */
  private refused(res: Response, session: CurrentSession, state: TestState, error: HttpException): void {
    const message =
      error instanceof TestWithdrawnException && error.reason
        ? `This test was withdrawn: ${TESTER_EXPLANATIONS[error.reason]}. Please do not make the contact.`
        : (error.getResponse() as { message: string }).message;
    sendPage(
      res,
      error.getStatus(),
      this.page(
        session,
        state,
        <p class="error" role="alert">
          {message}
        </p>,
      ),
    );
  }

  @Post(':id/decline')
  @ConsolePage('tester')
  async decline(
    @CurrentConsole() session: CurrentSession,
    @UuidParam('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const state = await this.load(session, id, req);
    const now = this.clock.now();
    const { value, errors } = await validateDto(DeclineDto, formFields(body));
    if (errors.length) {
      const values = initialValues(state.form, state.outcome, now);
      const info = this.info(id, session, state, now, await this.evidenceOf(session, state));
      return sendPage(
        res,
        400,
        this.page(
          session,
          state,
          <>
            <ErrorSummary errors={errors} />
            <OutcomeForm ctx={state.form} state={formState(values, [])} errors={0} info={info} />
          </>,
        ),
      );
    }
    try {
      await this.changes.decline(session.actor, id, value.reason);
    } catch (error) {
      if (error instanceof ConflictException) return this.refused(res, session, state, error);
      throw error;
    }
    await this.sessions.flash(session.actor, `You declined the test at ${state.form.touchpoint.name}. Thank you.`);
    res.redirect(303, '/my/tests');
  }
}
