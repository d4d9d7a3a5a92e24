import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { escapeHtml } from '../common/html.js';
import { messagePage, page, sendPrivatePage } from '../common/page-shell.js';
import { ANSWER_LABELS } from '../outcomes/follow-up-mail.js';
import { FollowUpService } from '../outcomes/follow-up.service.js';
import type { PromiseLink } from '../outcomes/follow-up.service.js';

type Answer = keyof typeof ANSWER_LABELS;
const isAnswer = (v: unknown): v is Answer => typeof v === 'string' && Object.hasOwn(ANSWER_LABELS, v);

/** One click in the mail opens a confirmation; only the confirming POST records the answer. */
@ApiExcludeController()
@Controller('f')
export class FollowUpPagesController {
  constructor(private readonly followUps: FollowUpService) {}

  private async open(token: string, res: Response): Promise<PromiseLink | null> {
    const found = await this.followUps.resolve(token);
    if (found.state === 'ok') return found.link;
    if (found.state === 'expired' || found.state === 'revoked') {
      sendPrivatePage(res, 410, messagePage('Link expired', 'This link has expired and no longer opens anything.'));
    } else {
      const text = 'This link is not valid. Check that you opened the whole link from your email.';
      sendPrivatePage(res, 404, messagePage('Link not found', text));
    }
    return null;
  }

  @Get(':token')
  @Public()
  async show(
    @Param('token') token: string,
    @Query('answer') answer: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, res);
    if (!link) return;
    const chosen = isAnswer(answer) ? answer : undefined;
    const options = (Object.keys(ANSWER_LABELS) as Answer[])
      .map(
        (key) =>
          `<label for="answer-${key}" style="display:flex;gap:.5rem;align-items:center;min-height:44px"><input type="radio" id="answer-${key}" name="answer" value="${key}"${chosen === key ? ' checked' : ''} required> ${escapeHtml(ANSWER_LABELS[key])}</label>`,
      )
      .join('\n');
    const current = link.answer
      ? `<p class="ok">You answered: ${escapeHtml(ANSWER_LABELS[link.answer])}. You can change it.</p>`
      : '';
    sendPrivatePage(
      res,
      200,
      page(
        'Did they get back to you?',
        `<h1>Did ${escapeHtml(link.touchpointName)} get back to you?</h1>
<p>You were promised a callback or an email by ${escapeHtml(link.promisedBy)}.</p>
${current}
<form method="post" action="/f/${escapeHtml(token)}">
<fieldset><legend>Your answer</legend>${options}</fieldset>
<button type="submit">${chosen ? `Confirm: ${escapeHtml(ANSWER_LABELS[chosen])}` : 'Save my answer'}</button>
</form>`,
      ),
    );
  }

  @Post(':token')
  @Public()
  async answer(@Param('token') token: string, @Body() body: { answer?: unknown }, @Res() res: Response): Promise<void> {
    const link = await this.open(token, res);
    if (!link) return;
    if (!isAnswer(body?.answer))
      return sendPrivatePage(res, 400, messagePage('Choose an answer', 'Choose one of the three answers and confirm.'));
    await this.followUps.answer(link, body.answer);
    sendPrivatePage(res, 200, messagePage('Thank you', `Recorded: ${ANSWER_LABELS[body.answer]}.`));
  }
}
