import type { Request } from 'express';
import multer from 'multer';

import type { UploadReader } from '../../auth/console.guard.js';
import { CSV_BODY_LIMIT_BYTES } from '../../common/csv/csv-import.js';
import { formFields } from './forms.js';

/** The field a console import form's file comes in. */
export const CSV_FILE_FIELD = 'file';

/** A refused upload: the status the page answers and what to tell the person. */
export interface UploadRefusal {
  status: 400 | 413;
  message: string;
}

/** An import POST once the upload middleware has read it: the file, if any, or why it was refused. */
export type UploadRequest = Request & { file?: Express.Multer.File; uploadRefusal?: UploadRefusal };

/** The largest file an import form takes, as people read it. */
export const CSV_UPLOAD_LIMIT_TEXT = `${Math.round(CSV_BODY_LIMIT_BYTES / (1024 * 1024))} MB`;

const parse = multer({
  storage: multer.memoryStorage(),
  // the same size as the API takes a CSV body; a pasted CSV posts as a field of the same form
  limits: { fileSize: CSV_BODY_LIMIT_BYTES, fieldSize: CSV_BODY_LIMIT_BYTES, files: 1, fields: 4, parts: 5 },
}).single(CSV_FILE_FIELD);

/** What a person is told of multer's refusal. */
export function refusalOf(error: unknown): UploadRefusal {
  const code = error instanceof multer.MulterError ? error.code : undefined;
  if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE')
    return {
      status: 413,
      message: `file: the CSV is larger than ${CSV_UPLOAD_LIMIT_TEXT}; split it and import the parts`,
    };
  if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT')
    return { status: 400, message: `file: one CSV file at a time, in the "${CSV_FILE_FIELD}" field` };
  return { status: 400, message: 'file: the upload could not be read; choose the file again and import' };
}

/**
 * Reads a console import form sent as multipart (a chosen file, or a pasted CSV beside it), called by the console's
 * guard (ConsoleUpload) once the session and role are checked and before the form token is. A refused upload (too
 * large, two files) is noted on the request for the page to show beside the form, never half-read into an import.
 */
export const readCsvUpload: UploadReader = (req, res) =>
  new Promise((resolve) =>
    parse(req, res, (error: unknown) => {
      if (error) (req as UploadRequest).uploadRefusal = refusalOf(error);
      resolve();
    }),
  );

/** The CSV an import form brought: the chosen file (UTF-8 text) if there is one, else the pasted text. */
export function uploadedCsv(req: UploadRequest): { csv: string } | { refusal: UploadRefusal; csv: string } {
  const pasted = formFields(req.body).csv ?? '';
  if (req.uploadRefusal) return { refusal: req.uploadRefusal, csv: pasted };
  if (!req.file || req.file.size === 0) return { csv: pasted };
  const notText = {
    refusal: { status: 400, message: 'file: not a CSV in UTF-8; save the sheet as "CSV UTF-8" and choose it again' },
    csv: pasted,
  } as const;
  try {
    // fatal: a spreadsheet file (xlsx) or another encoding is refused, never imported as garbage
    const text = new TextDecoder('utf-8', { fatal: true }).decode(req.file.buffer);
    return text.includes('\u0000') ? notText : { csv: text };
  } catch {
    return notText;
  }
}
