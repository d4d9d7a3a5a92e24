import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Public, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated } from '../common/api-docs.decorators.js';
import { messagePage, sendPrivatePage } from '../common/page-shell.js';
import { PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import {
  DigestLinkPage,
  DigestLinksQuery,
  IssueDigestLinksDto,
  RevokeDigestLinksDto,
  RevokedDigestLinks,
} from './digest-link.dto.js';
import { DigestLinksService, ResolvedDigestLink } from './digest-links.service.js';
import { gzipEtag } from './digest-page.js';
import { DigestPagesService } from './digest-pages.service.js';
import { DigestRunPage, DigestRunsQuery } from './digest-run.dto.js';
import { DigestRunsService } from './digest-runs.service.js';
import type { NamedRun } from './digests.repository.js';

export class SentDigestView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() subscriptionName: string;
  @ApiProperty() periodStart: Date;
  @ApiProperty() periodEnd: Date;
  @ApiProperty() createdAt: Date;

  static of(this: void, run: NamedRun): SentDigestView {
    const { id, subscriptionName, periodStart, periodEnd, createdAt } = run;
    return { id, subscriptionName, periodStart, periodEnd, createdAt };
  }
}

export class SentDigestPage {
  @ApiProperty({ type: [SentDigestView] }) items: SentDigestView[];
  @ApiProperty() total: number;
}

/**
 * The reader's own browser may keep a digest page, but asks again each time (a 304 costs nothing), so
 * an expired or revoked link stops showing it at once; no shared cache may keep it.
 */
const PAGE_CACHE_CONTROL = 'private, no-cache';

const REFUSED: Record<Exclude<ResolvedDigestLink['state'], 'ok'>, [number, string, string]> = {
  unknown: [404, 'Digest not found', 'This link is not valid. Check that you opened the whole link from your email.'],
  expired: [
    410,
    'Link expired',
    'This link to the digest has expired: digest links open for a limited time after the digest is sent. ' +
      'Ask your quality team if you still need it.',
  ],
  revoked: [
    410,
    'Link withdrawn',
    'This link to the digest has been withdrawn. Ask your quality team if you still need the digest.',
  ],
};

@ApiTags('digests')
@Controller()
export class DigestsController {
  constructor(
    private readonly runs: DigestRunsService,
    private readonly links: DigestLinksService,
    private readonly pages: DigestPagesService,
  ) {}

  @Get('api/v1/me/digests')
  @ApiOperation({ summary: 'List the digests sent to you' })
  @ApiAuthenticated()
  @Roles('admin', 'quality', 'owner', 'tester')
  @ApiOkResponse({
    type: SentDigestPage,
    description:
      'Runs of the subscriptions you receive, newest first; to a touchpoint owner only once each is a week past ' +
      '(as GET /api/v1/digests/{runId})',
  })
  async mine(@CurrentActor() me: Actor, @Query() query: PageQuery): Promise<SentDigestPage> {
    const page = await this.runs.sentToMe(me, query);
    return { items: page.items.map(SentDigestView.of), total: page.total };
  }

  @Get('api/v1/digests')
  @ApiOperation({ summary: 'The digest archive: every stored run, newest first' })
  @ApiAuthenticated()
  @Roles('admin', 'quality')
  @ApiOkResponse({ type: DigestRunPage, description: 'Runs without their payloads: subscription, period, sent, rows' })
  list(@CurrentActor() me: Actor, @Query() query: DigestRunsQuery): Promise<DigestRunPage> {
    return this.runs.list(me, query);
  }

  @Get('api/v1/digests/:runId')
  @ApiOperation({ summary: 'Read a stored digest run' })
  @ApiAuthenticated()
  @Roles('admin', 'quality', 'owner', 'tester')
  @ApiOkResponse({ description: 'A stored digest run: the payload exactly as sent' })
  async get(@CurrentActor() me: Actor, @UuidParam('runId') id: string) {
    const run = await this.runs.get(me, id);
    return {
      id: run.id,
      subscriptionId: run.subscriptionId,
      subscriptionName: run.subscriptionName,
      periodStart: run.periodStart,
      periodEnd: run.periodEnd,
      createdAt: run.createdAt,
      payload: run.payload,
    };
  }

  @Get('api/v1/digests/:runId/links')
  @ApiOperation({ summary: "List a digest run's web links" })
  @ApiAuthenticated()
  @Roles('admin', 'quality')
  @ApiOkResponse({
    type: DigestLinkPage,
    description: "The run's web links: to whom, until when, revoked by whom and why (never their secrets)",
  })
  listLinks(
    @CurrentActor() me: Actor,
    @UuidParam('runId') id: string,
    @Query() query: DigestLinksQuery,
  ): Promise<DigestLinkPage> {
    return this.links.list(me, id, query);
  }

  @Post('api/v1/digests/:runId/links/revoke')
  @ApiOperation({ summary: "Revoke a digest run's web links" })
  @ApiAuthenticated()
  @Roles('admin', 'quality')
  @HttpCode(200)
  @ApiOkResponse({
    type: RevokedDigestLinks,
    description: 'Every link of the run (or of one recipient) revoked: its page answers 410',
  })
  revokeLinks(
    @CurrentActor() me: Actor,
    @UuidParam('runId') id: string,
    @Body() dto: RevokeDigestLinksDto,
  ): Promise<RevokedDigestLinks> {
    return this.links.revoke(me, id, dto);
  }

  @Post('api/v1/digests/:runId/links')
  @ApiOperation({ summary: "Mail new web links to a digest run's recipients" })
  @Idempotent()
  @ApiAuthenticated()
  @Roles('admin', 'quality')
  @ApiCreatedResponse({
    type: DigestLinkPage,
    description: "New links mailed to the subscription's current recipients (or one of them)",
  })
  issueLinks(
    @CurrentActor() me: Actor,
    @UuidParam('runId') id: string,
    @Body() dto: IssueDigestLinksDto,
  ): Promise<DigestLinkPage> {
    return this.links.reissue(me, id, dto);
  }

  /** The digest on the web, from the signed link in its mail (no login): the run's one stored rendering. */
  @Get('d/:token')
  @Public()
  @ApiExcludeEndpoint()
  async page(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.links.resolve(token);
    if (link.state !== 'ok') return refuse(res, link.state);
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    res
      .setHeader('Cache-Control', PAGE_CACHE_CONTROL)
      .setHeader('X-Robots-Tag', 'noindex')
      .setHeader('Vary', 'Accept-Encoding');
    // A browser asking again is answered from the link's row alone, before any page is loaded.
    if (link.etag && notModified(req, res, gzip ? gzipEtag(link.etag) : link.etag)) return;
    const page = await this.pages.page(link.runId);
    if (notModified(req, res, gzip ? page.gzipEtag : page.etag)) return;
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res
      .status(200)
      .type('html')
      .send(gzip ? page.gzip : page.html);
  }

  @Get('d/:token/chart.png')
  @Public()
  @ApiExcludeEndpoint()
  async chart(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.links.resolve(token);
    if (link.state !== 'ok') {
      res
        .status(link.state === 'unknown' ? 404 : 410)
        .setHeader('Cache-Control', 'no-store')
        .type('text')
        .send(link.state === 'unknown' ? 'Not found' : 'Gone');
      return;
    }
    res.setHeader('Cache-Control', PAGE_CACHE_CONTROL).setHeader('X-Robots-Tag', 'noindex');
    if (link.chartEtag && notModified(req, res, link.chartEtag)) return;
    const page = await this.pages.page(link.runId);
    if (notModified(req, res, page.chartEtag)) return;
    res.status(200).type('png').send(page.chart);
  }
}

function refuse(res: Response, state: keyof typeof REFUSED): void {
  const [status, title, text] = REFUSED[state];
  sendPrivatePage(res, status, messagePage(title, text));
}

/** Sets the validator and answers 304 when the browser's copy is this one (Express's `fresh` compares them). */
function notModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  if (!req.fresh) return false;
  res.status(304).end();
  return true;
}
