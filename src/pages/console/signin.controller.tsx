import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { SignedOutPage } from '../../auth/console.guard.js';
import { clientKey } from '../../auth/guess-limit.js';
import { setSessionCookie } from '../../auth/sessions/session-cookie.js';
import type { FieldError } from '../../common/validation/validation-errors.js';
import { AppConfig } from '../../config/app-config.js';
import { SIGNIN_LINK_MINUTES } from '../../links/link-kinds.js';
import { safeNext, SignInService } from '../../signin/signin.service.js';
import { ErrorSummary, Field } from './components.js';
import { ConsoleController } from './console-routes.js';
import { sendPage, SignedOutLayout } from './layout.js';

const SENT =
  `If the address is known, a link is on its way: open it within ${SIGNIN_LINK_MINUTES} minutes on this device. ` +
  'It works once. Nothing arrived? Check the spam folder, or ask for another link.';

function SignInForm(props: { email?: string; next: string; errors?: FieldError[]; notice?: string }) {
  return (
    <SignedOutLayout title="Sign in to Groundtruth">
      {props.notice && (
        <p class="ok" role="status">
          {props.notice}
        </p>
      )}
      <ErrorSummary errors={props.errors ?? []} />
      <form method="post" action="/signin" class="narrow">
        <input type="hidden" name="next" value={props.next} />
        <Field
          name="email"
          label="Your work email address"
          type="email"
          value={props.email}
          errors={props.errors}
          hint="We send a one-time sign-in link there: no password."
          autocomplete="email"
          required
        />
        <button type="submit">Email me a sign-in link</button>
      </form>
    </SignedOutLayout>
  );
}

function LinkRefused(props: { gone: boolean }) {
  return (
    <SignedOutLayout title={props.gone ? 'Link expired' : 'Link not found'}>
      <p>
        {props.gone
          ? `This sign-in link was used already or is older than ${SIGNIN_LINK_MINUTES} minutes.`
          : 'This sign-in link is not valid. Check that you opened the whole link from your email.'}
      </p>
      <p>
        <a href="/signin">Ask for a new link</a>
      </p>
    </SignedOutLayout>
  );
}

/**
 * Sign-in by email: the form, the same answer for any address, and the link's page. The link's GET only shows a
 * button (mail scanners open links); its POST uses the link and starts the session.
 */
@ConsoleController('signin')
export class SignInController {
  constructor(
    private readonly signIn: SignInService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @SignedOutPage()
  form(@Query('next') next: unknown, @Query('signedOut') signedOut: unknown, @Res() res: Response): void {
    const notice = signedOut ? 'You are signed out.' : undefined;
    sendPage(res, 200, <SignInForm next={safeNext(next)} notice={notice} />);
  }

  @Post()
  @SignedOutPage()
  request(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response): void {
    const next = safeNext(body?.next);
    const email = typeof body?.email === 'string' ? body.email : '';
    const answer = this.signIn.request(email, clientKey(req), next);
    if (answer.state === 'refused') {
      res.setHeader('Retry-After', String(answer.retryAfter));
      const text = `Too many sign-in requests from your address. Try again in ${answer.retryAfter} seconds.`;
      return sendPage(res, 429, <SignedOutLayout title="Too many attempts">{<p>{text}</p>}</SignedOutLayout>);
    }
    if (answer.state === 'invalid') {
      const errors = [{ field: 'email', rule: 'isEmail', message: 'email must be an email address' }];
      return sendPage(res, 400, <SignInForm email={email} next={next} errors={errors} />);
    }
    sendPage(res, 200, <SignInForm next={next} notice={SENT} />);
  }

  @Get(':secret')
  @SignedOutPage()
  async link(@Param('secret') secret: string, @Query('next') next: unknown, @Res() res: Response): Promise<void> {
    const found = await this.signIn.check(secret);
    if (found.state === 'unknown') return sendPage(res, 404, <LinkRefused gone={false} />);
    if (found.state !== 'ok') return sendPage(res, 410, <LinkRefused gone />);
    const action = `/signin/${secret}`;
    sendPage(
      res,
      200,
      <SignedOutLayout title="Sign in to Groundtruth">
        <p>Press the button to sign in on this device. The link then stops working.</p>
        <form method="post" action={action} class="narrow">
          <input type="hidden" name="next" value={safeNext(next)} />
          <button type="submit">Sign in</button>
        </form>
      </SignedOutLayout>,
    );
  }

  @Post(':secret')
  @SignedOutPage()
  async confirm(
    @Param('secret') secret: string,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const ua = req.headers['user-agent'];
    const done = await this.signIn.confirm(secret, {
      userAgent: typeof ua === 'string' ? ua : null,
      ip: req.ip ?? null,
    });
    if (done.state === 'unknown') return sendPage(res, 404, <LinkRefused gone={false} />);
    if (done.state !== 'ok') return sendPage(res, 410, <LinkRefused gone />);
    setSessionCookie(req, res, done.token, this.config.session.absoluteDays * 86_400_000);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, safeNext(body?.next));
  }
}
