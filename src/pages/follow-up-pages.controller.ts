import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { Public } from '../auth/auth.decorators.js';
import { requestLocale } from '../common/locale.js';
import { messagePage, sendPrivatePage } from '../common/page-shell.js';
import { ANSWER_LABELS } from '../outcomes/follow-up-mail.js';
import { FollowUpService } from '../outcomes/follow-up.service.js';
import type { PromiseLink } from '../outcomes/follow-up.service.js';
import { followUpPage } from './follow-up-page.js';
import type { FollowUpAnswer } from './follow-up-page.js';

const isAnswer = (v: unknown): v is FollowUpAnswer => typeof v === 'string' && Object.hasOwn(ANSWER_LABELS, v);

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
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const link = await this.open(token, res);
    if (!link) return;
    sendPrivatePage(res, 200, followUpPage(link, token, isAnswer(answer) ? answer : undefined, requestLocale(req)));
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
