import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import type { Observable } from 'rxjs';

import type { UploadReader } from '../auth/console.guard.js';
import { EVIDENCE_LIMITS, tooLarge } from './evidence-rules.js';
import { EvidenceRefused } from './evidence.service.js';

const upload = multer({
  storage: multer.memoryStorage(),
  // one part named `file`, and at most a form token beside it; reading stops one byte past the size limit
  limits: { fileSize: EVIDENCE_LIMITS.fileBytes, files: 1, fields: 1, parts: 2, fieldSize: 1024 },
}).single('file');

/**
 * Reads a multipart upload's one file into memory (as `req.file`), or answers why the body is refused. A body
 * that is not multipart is left alone: the service then names the missing file.
 */
export function readEvidenceUpload(req: Request, res: Response): Promise<EvidenceRefused | null> {
  return new Promise((resolve) => {
    upload(req, res, (error: unknown) => {
      if (!error) return resolve(null);
      if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE')
        return resolve(new EvidenceRefused(tooLarge()));
      const why = error instanceof Error ? error.message : 'unreadable body';
      const message = `the body must be multipart/form-data with one file in a part named "file" (${why})`;
      resolve(new EvidenceRefused({ field: 'file', rule: 'multipart', message }));
    });
  });
}

/** Where a refused upload is left for a page's handler, which shows it next to the field. */
export const UPLOAD_REFUSAL = Symbol('evidenceUploadRefusal');
export type WithUploadRefusal = { [UPLOAD_REFUSAL]?: EvidenceRefused };

/** The API's upload: one file read into memory, or the refusal answered as it is (field and rule named). */
@Injectable()
export class EvidenceUploadInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const refusal = await readEvidenceUpload(http.getRequest<Request>(), http.getResponse<Response>());
    return refusal ? this.refuse(context, next, refusal) : next.handle();
  }

  /** The API answers the refusal as it is. */
  protected refuse(_context: ExecutionContext, _next: CallHandler, refusal: EvidenceRefused): Observable<unknown> {
    throw refusal;
  }
}

/** For pages: a refused upload reaches the handler (as `req[UPLOAD_REFUSAL]`), which re-shows its form. */
@Injectable()
export class EvidenceFormUploadInterceptor extends EvidenceUploadInterceptor {
  protected override refuse(context: ExecutionContext, next: CallHandler, refusal: EvidenceRefused) {
    context.switchToHttp().getRequest<WithUploadRefusal>()[UPLOAD_REFUSAL] = refusal;
    return next.handle();
  }
}

/**
 * For the console: its guard reads the upload (ConsoleUpload) once the session and role are checked, before it
 * checks the form token among the fields; a refusal waits for the handler as above.
 */
export const readEvidenceForm: UploadReader = async (req: Request & WithUploadRefusal, res) => {
  const refusal = await readEvidenceUpload(req, res);
  if (refusal) req[UPLOAD_REFUSAL] = refusal;
};
