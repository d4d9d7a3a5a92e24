import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { messagePage, sendPrivatePage } from '../pages/outcome-form.js';
import { digestChartPng, renderDigest } from './digest-render.js';
import { DigestRunsService } from './digest-runs.service.js';

@ApiTags('digests')
@Controller()
export class DigestsController {
  constructor(private readonly runs: DigestRunsService) {}

  @Get('api/v1/digests/:runId')
  @ApiAuthenticated()
  @ApiErrors()
  @Roles('admin', 'quality', 'owner', 'tester')
  @ApiOkResponse({ description: 'A stored digest run: the payload exactly as sent' })
  async get(@CurrentPrincipal() me: Principal, @UuidParam('runId') id: string) {
    const run = await this.runs.get(me, id);
    return { id: run.id, subscriptionId: run.subscriptionId, subscriptionName: run.subscriptionName, periodStart: run.periodStart, periodEnd: run.periodEnd, createdAt: run.createdAt, payload: run.payload };
  }

  /** The digest on the web, from the signed link in its mail (no login). */
  @Get('d/:token')
  @Public()
  @ApiExcludeEndpoint()
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const found = await this.runs.byToken(token);
    if (!found) {
      sendPrivatePage(res, 404, messagePage('Digest not found', 'This link is not valid. Check that you opened the whole link from your email.'));
      return;
    }
    const rendered = renderDigest(found.run.payload, { name: found.sub.name, zone: found.sub.timezone, link: `/d/${token}`, chartSrc: `/d/${token}/chart.png` });
    sendPrivatePage(res, 200, rendered.html);
  }

  @Get('d/:token/chart.png')
  @Public()
  @ApiExcludeEndpoint()
  async chart(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const found = await this.runs.byToken(token);
    if (!found) {
      res.status(404).type('text').send('Not found');
      return;
    }
    res.setHeader('Cache-Control', 'private, max-age=3600').type('png').send(digestChartPng(found.run.payload, found.sub.name, found.sub.timezone));
  }
}
