import { CallHandler, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

import { EvidenceFormUploadInterceptor } from '../evidence/evidence-upload.interceptor.js';
import { TesterLinkService } from './tester-link.service.js';

/**
 * Reads an upload posted to a tester's link only when the link opens: a wrong or expired secret gets its 404 or
 * 410 page without the service first taking in a file of up to the size limit.
 */
@Injectable()
export class LinkEvidenceUploadInterceptor extends EvidenceFormUploadInterceptor {
  constructor(private readonly links: TesterLinkService) {
    super();
  }

  override async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const token = context.switchToHttp().getRequest<Request>().params.token;
    const found = typeof token === 'string' ? await this.links.resolve(token) : { state: 'unknown' };
    if (found.state !== 'ok') return next.handle();
    return super.intercept(context, next);
  }
}
