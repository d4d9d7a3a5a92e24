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
      if (error instanceof HttpException && error.getStatus() === 413) throw new EvidenceRefused(tooLarge());
      if (error instanceof HttpException && error.getStatus() === 400) {
        const message = `the body must be multipart/form-data with one file in a part named "file" (${error.message})`;
        throw new EvidenceRefused({ field: 'file', rule: 'multipart', message });
      }
      throw error;
    }
  }
}
