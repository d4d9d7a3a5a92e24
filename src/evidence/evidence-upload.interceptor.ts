import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';

import { EVIDENCE_LIMITS, tooLarge } from './evidence-rules.js';
import { EvidenceRefused } from './evidence.service.js';

const Multipart = FileInterceptor('file', {
  // one part named `file` and nothing else; one byte past the limit is enough to know it is too large
  limits: { fileSize: EVIDENCE_LIMITS.fileBytes, files: 1, fields: 1, parts: 2, fieldSize: 1024 },
});

/** Reads one uploaded file into memory, refusing an oversized one with the field and rule named. */
@Injectable()
export class EvidenceUploadInterceptor implements NestInterceptor {
  private readonly multipart = new Multipart();

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.multipart.intercept(context, next);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 413)
        return this.refuse(context, next, new EvidenceRefused(tooLarge()));
      if (error instanceof HttpException && error.getStatus() === 400) {
        const message = `the body must be multipart/form-data with one file in a part named "file" (${error.message})`;
        return this.refuse(context, next, new EvidenceRefused({ field: 'file', rule: 'multipart', message }));
      }
      throw error;
    }
  }

  /** The API answers the refusal as it is. */
  protected refuse(_context: ExecutionContext, _next: CallHandler, refusal: EvidenceRefused): Observable<unknown> {
    throw refusal;
  }
}

/** Where a refused upload is left for a page's handler, which shows it next to the field. */
export const UPLOAD_REFUSAL = Symbol('evidenceUploadRefusal');
export type WithUploadRefusal = { [UPLOAD_REFUSAL]?: EvidenceRefused };

/** For pages: a refused upload reaches the handler (as `req[UPLOAD_REFUSAL]`), which re-shows its form. */
@Injectable()
export class EvidenceFormUploadInterceptor extends EvidenceUploadInterceptor {
  protected override refuse(context: ExecutionContext, next: CallHandler, refusal: EvidenceRefused) {
    context.switchToHttp().getRequest<WithUploadRefusal>()[UPLOAD_REFUSAL] = refusal;
    return next.handle();
  }
}
