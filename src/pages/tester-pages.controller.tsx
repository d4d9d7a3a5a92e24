import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import { TESTER_EXPLANATIONS } from '../assignments/withdrawal-reasons.js';
import type { CancelReason } from '../assignments/withdrawal-reasons.js';
import type { LinkActor } from '../auth/actor.js';
import { Public } from '../auth/auth.decorators.js';
import { PlanChangesService } from '../campaigns/plan-changes.service.js';
import { TestWithdrawnException } from '../campaigns/withdrawals.service.js';
import { Clock } from '../common/clock.js';
import { requestLocale } from '../common/locale.js';
import { messagePage, sendPrivatePage } from '../common/page-shell.js';
import { validateDto } from '../common/validation/validate-dto.js';
import { FieldValidationException, unstorableInput } from '../common/validation/validation-errors.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import { UPLOAD_REFUSAL, type WithUploadRefusal } from '../evidence/evidence-upload.interceptor.js';
import { EvidenceRefused, EvidenceService, type UploadedFile as Uploaded } from '../evidence/evidence.service.js';
import { CaseContactDto } from '../outcomes/case.dto.js';
import { CasesService } from '../outcomes/cases.service.js';
import { Outcome } from '../outcomes/outcome.entity.js';
import { OutcomesRepository } from '../outcomes/outcomes.repository.js';
import { OutcomesService } from '../outcomes/outcomes.service.js';
import { CaseSection, casePage, parseCaseForm } from './case-section.js';
import type { CaseSectionInfo } from './case-section.js';
import type { EvidenceSectionInfo } from './evidence-section.js';
import { LinkEvidenceUploadInterceptor } from './link-evidence-upload.interceptor.js';
import { checkOutcomeForm, textFields } from './outcome-form-check.js';
import { formPage, initialValues, savedPage } from './outcome-form.js';
import type { FormValues } from './outcome-form.js';
import { ResolvedLink, TesterLinkService } from './tester-link.service.js';

const GONE =
  'This link has expired. It no longer opens anything; if you still need to record a test, ask your quality team.';
const UNKNOWN = 'This link is not valid. Check that you opened the whole link from your email.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The page for a test that was (or is now) withdrawn: why, and that nothing needs doing. */
function withdrawnPage(reason: CancelReason | null): string {
  const why = reason ? `: ${TESTER_EXPLANATIONS[reason]}` : '';
  const text = `This test was withdrawn${why}. Please do not make the contact; nothing needs to be recorded.`;
  return messagePage('Test withdrawn', text);
}

/** A refusal (4xx) as a page: a withdrawal gets its own page, anything else its message under `title`. */
function refusalPage(error: HttpException, title: string): string {
  if (error instanceof TestWithdrawnException) return withdrawnPage(error.reason);
  return messagePage(title, (error.getResponse() as { message: string }).message);
}

/**
 * The tester's pages, reached from the reveal email's link (the link's secret is the only
 * credential). A GET never changes anything: mail scanners open links.
 */
@ApiExcludeController()
@Controller('t')
export class TesterPagesController {
  constructor(
    private readonly links: TesterLinkService,
    private readonly outcomes: OutcomesService,
    private readonly assignments: AssignmentsRepository,
    private readonly changes: PlanChangesService,
    private readonly clock: Clock,
    private readonly outcomeRows: OutcomesRepository,
    private readonly evidence: EvidenceService,
    private readonly cases: CasesService,
  ) {}

  /** Whether the page shows the case: it is open, or went beyond its first contact. */
  private hasCase(outcome: Outcome): boolean {
    return outcome.caseStatus === 'open' || outcome.caseContacts > 1;
  }

  /** The case part of the page: the contacts so far and the next contact's form, as last posted. */
  private async caseOf(
    token: string,
    link: ResolvedLink,
    outcome: Outcome,
    posted?: { values: FormValues; errors: FieldError[] },
  ): Promise<CaseSectionInfo> {
    return {
      view: await this.cases.get(this.actorOf(link), outcome.id),
      action: `/t/${token}/case`,
      giveUpAction: `/t/${token}/case/give-up`,
      ...posted,
    };
  }

  /** The saved contact's page: its form while it can be edited, else the case alone (or that it is recorded). */
  private async savedContactPage(
    res: Response,
    status: number,
    token: string,
    link: ResolvedLink,
    outcome: Outcome,
    posted?: { values: FormValues; errors: FieldError[] },
  ) {
    if (this.clock.now() <= outcome.editableUntil)
      return this.editPage(res, status, token, link, outcome, undefined, posted);
    if (this.hasCase(outcome))
      return sendPrivatePage(res, status, casePage(link.form, await this.caseOf(token, link, outcome, posted)));
    return sendPrivatePage(
      res,
      200,
      messagePage(
        'Recorded',
        'What happened is recorded. The 48 hours to change it have passed, so it can no longer be edited.',
      ),
    );
  }

  /**
   * Resolves the link or answers the plain 404/410 page; nothing about the assignment leaks. The form speaks in the
   * reader's locale (their browser's languages) and the tester's own zone.
   */
  private async open(token: string, req: Request, res: Response): Promise<ResolvedLink | null> {
    const found = await this.links.resolve(token);
    if (found.state === 'ok') return { ...found.link, form: { ...found.link.form, locale: requestLocale(req) } };
    const gone = found.state === 'expired' || found.state === 'revoked';
    if (gone) sendPrivatePage(res, 410, messagePage('Link expired', GONE));
    else sendPrivatePage(res, 404, messagePage('Link not found', UNKNOWN));
    return null;
  }

  /** The link acts as its test's tester, and as nobody else. */
  private actorOf(link: ResolvedLink): LinkActor {
    return { via: 'link', organizationId: link.organizationId, personId: link.testerId };
  }

  private outcomeOf(assignmentId: string): Promise<Outcome | null> {
    return this.outcomeRows.byAssignment(assignmentId);
  }

  private urls(token: string) {
    return { action: `/t/${token}`, declineAction: `/t/${token}/decline` };
  }

  /** The evidence part of a saved contact's form: its files and where to attach and remove them. */
  private async evidenceOf(token: string, link: ResolvedLink, outcome: Outcome, error?: string) {
    const items = await this.evidence.listOwn(this.actorOf(link), outcome.id);
    const info: EvidenceSectionInfo = {
      action: `/t/${token}/evidence`,
      removeAction: (id) => `/t/${token}/evidence/${id}/remove`,
      items,
      error,
    };
    return info;
  }

  /** The saved contact's form as it stands, with a refused file's reason next to the file field. */
  private async editPage(
    res: Response,
    status: number,
    token: string,
    link: ResolvedLink,
    outcome: Outcome,
    error?: string,
    posted?: { values: FormValues; errors: FieldError[] },
  ) {
    const section = this.hasCase(outcome) ? await this.caseOf(token, link, outcome, posted) : null;
    const info = {
      ...this.urls(token),
      editing: true,
      editableUntil: outcome.editableUntil,
      evidence: await this.evidenceOf(token, link, outcome, error),
      extra: section ? <CaseSection ctx={link.form} info={section} /> : undefined,
    };
    sendPrivatePage(res, status, formPage(link.form, initialValues(link.form, outcome, this.clock.now()), [], info));
  }

  @Get(':token')
  @Public()
  async show(
    @Param('token') token: string,
    @Query('saved') saved: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    const outcome = await this.outcomeOf(link.assignmentId);
    const now = this.clock.now();
    if (outcome && saved) return sendPrivatePage(res, 200, savedPage(link.form, outcome.editableUntil, `/t/${token}`));
    if (outcome) return this.savedContactPage(res, 200, token, link, outcome);
    if (link.status === 'declined')
      return sendPrivatePage(
        res,
        200,
        messagePage('Declined', 'You declined this test. Thank you for letting us know.'),
      );
    if (link.status === 'cancelled') return sendPrivatePage(res, 200, withdrawnPage(link.cancelReason));
    if (link.status !== 'revealed')
      return sendPrivatePage(
        res,
        200,
        messagePage('Closed', `This test is ${link.status}; nothing more can be recorded for it.`),
      );
    if (now >= link.missedAt) {
      const missed = 'The time to record this test has passed: it is missed, and nothing more can be recorded for it.';
      return sendPrivatePage(res, 200, messagePage('Closed', missed));
    }
    // Only read here (a GET changes nothing): the next step withdraws it.
    const why = await this.assignments.whyIneligible(link.assignmentId);
    if (why) return sendPrivatePage(res, 200, withdrawnPage(why));
    const canDecline = now < link.form.window.start;
    const info = { ...this.urls(token), editing: false, canDecline, evidence: 'later' as const };
    sendPrivatePage(res, 200, formPage(link.form, initialValues(link.form, null, now), [], info));
  }

  @Post(':token')
  @Public()
  async save(
    @Param('token') token: string,
    @Body() body: FormValues,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    if (link.status === 'cancelled') return sendPrivatePage(res, 409, withdrawnPage(link.cancelReason));
    // the body is what the browser sent, whatever the type says: keep the text fields only
    const values = textFields(body);
    const { value, errors: all } = await checkOutcomeForm(values, link.form, this.clock.now());
    const existing = await this.outcomeOf(link.assignmentId);
    const evidence = existing ? await this.evidenceOf(token, link, existing) : ('later' as const);
    const info = { ...this.urls(token), editing: Boolean(existing), editableUntil: existing?.editableUntil, evidence };
    const start = link.form.window.start;
    const rerender = (list: FieldError[]) =>
      sendPrivatePage(res, 400, formPage(link.form, values, list, { ...info, canDecline: this.clock.now() < start }));
    if (all.length) return rerender(all);
    try {
      await this.outcomes.recordForAssignment(this.actorOf(link), link.assignmentId, value);
    } catch (error) {
      if (error instanceof FieldValidationException) return rerender(error.errors);
      if (error instanceof HttpException && error.getStatus() < 500) {
        return sendPrivatePage(res, error.getStatus(), refusalPage(error, 'Not saved'));
      }
      throw error;
    }
    res.redirect(303, `/t/${token}?saved=1`);
  }

  /** The case's next contact, recorded through the test's own link. */
  @Post(':token/case')
  @Public()
  async addCaseContact(
    @Param('token') token: string,
    @Body() body: FormValues,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    const outcome = await this.outcomeOf(link.assignmentId);
    if (!outcome) {
      const first = 'Save what happened on the first contact first; then record the next ones here.';
      return sendPrivatePage(res, 409, messagePage('Not saved', first));
    }
    const values = textFields(body);
    const { plain, errors: unreadable } = parseCaseForm(values, link.form, this.clock.now());
    const { value, errors: fieldErrors } = await validateDto(CaseContactDto, plain);
    const rerender = (errors: FieldError[]) =>
      this.savedContactPage(res, 400, token, link, outcome, { values, errors });
    const all = [...unreadable, ...fieldErrors.filter((e) => !unreadable.some((u) => u.field === e.field))];
    if (all.length) return rerender(all);
    try {
      await this.cases.addContact(this.actorOf(link), outcome.id, value);
    } catch (error) {
      if (error instanceof FieldValidationException) return rerender(error.errors);
      if (error instanceof HttpException && error.getStatus() < 500)
        return sendPrivatePage(res, error.getStatus(), refusalPage(error, 'Not saved'));
      throw error;
    }
    res.redirect(303, `/t/${token}#case`);
  }

  /** The tester stops following the case: it ends unresolved. */
  @Post(':token/case/give-up')
  @Public()
  async giveUpCase(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    const outcome = await this.outcomeOf(link.assignmentId);
    if (!outcome) return sendPrivatePage(res, 404, messagePage('Not found', 'Nothing is recorded for this test yet.'));
    try {
      await this.cases.giveUp(this.actorOf(link), outcome.id, null);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500)
        return sendPrivatePage(res, error.getStatus(), refusalPage(error, 'Not saved'));
      throw error;
    }
    res.redirect(303, `/t/${token}#case`);
  }

  /** Attaches one file to the saved contact; a refused one is named next to the file field. */
  @Post(':token/evidence')
  @Public()
  @UseInterceptors(LinkEvidenceUploadInterceptor)
  async attachEvidence(
    @Param('token') token: string,
    @UploadedFile() file: Uploaded | undefined,
    @Req() req: Request & WithUploadRefusal,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    const outcome = await this.outcomeOf(link.assignmentId);
    if (!outcome) {
      const first = 'Save what happened first; then you can attach files to it.';
      return sendPrivatePage(res, 409, messagePage('Not attached', first));
    }
    try {
      if (req[UPLOAD_REFUSAL]) throw req[UPLOAD_REFUSAL];
      await this.evidence.attach(this.actorOf(link), outcome.id, file);
    } catch (error) {
      if (error instanceof EvidenceRefused)
        return this.editPage(res, error.getStatus(), token, link, outcome, error.fieldError.message);
      if (error instanceof HttpException && error.getStatus() < 500)
        return sendPrivatePage(res, error.getStatus(), refusalPage(error, 'Not attached'));
      throw error;
    }
    res.redirect(303, `/t/${token}#evidence`);
  }

  /** Removes a file the tester attached, while the contact can still be changed. */
  @Post(':token/evidence/:evidenceId/remove')
  @Public()
  async removeEvidence(
    @Param('token') token: string,
    @Param('evidenceId') evidenceId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    const outcome = await this.outcomeOf(link.assignmentId);
    const missing = messagePage('Not found', 'That file is not attached to this contact.');
    if (!outcome || !UUID.test(evidenceId)) return sendPrivatePage(res, 404, missing);
    try {
      await this.evidence.remove(this.actorOf(link), outcome.id, evidenceId);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500)
        return sendPrivatePage(res, error.getStatus(), refusalPage(error, 'Not removed'));
      throw error;
    }
    res.redirect(303, `/t/${token}#evidence`);
  }

  @Post(':token/decline')
  @Public()
  async decline(
    @Param('token') token: string,
    @Body() body: { reason?: unknown },
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, req, res);
    if (!link) return;
    const reason = typeof body?.reason === 'string' ? body.reason.trim() : '';
    const problem =
      !reason || reason.length > 500
        ? { field: 'reason', rule: 'length', message: 'Say briefly why (at most 500 characters)' }
        : unstorableInput(reason, 'reason');
    if (problem) {
      const now = this.clock.now();
      return sendPrivatePage(
        res,
        400,
        formPage(link.form, initialValues(link.form, null, now), [problem], {
          ...this.urls(token),
          editing: false,
          canDecline: now < link.form.window.start,
        }),
      );
    }
    try {
      await this.changes.decline(this.actorOf(link), link.assignmentId, reason);
    } catch (error) {
      if (error instanceof ConflictException) return sendPrivatePage(res, 409, refusalPage(error, 'Not declined'));
      throw error;
    }
    sendPrivatePage(
      res,
      200,
      messagePage('Declined', 'Thank you for letting us know. The test goes to someone else if anyone can take it.'),
    );
  }
}
