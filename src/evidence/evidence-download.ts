import type { Response } from 'express';

import type { EvidenceFile } from './evidence.service.js';

/**
 * Sends a file so no browser renders it in the service's origin: always an attachment, its type as found in
 * the bytes, no sniffing, a sandbox should it be opened anyway, and no cache beyond the reader's.
 */
export function sendEvidenceFile(res: Response, { evidence, content }: EvidenceFile): void {
  res.attachment(evidence.fileName);
  res.set({
    'Content-Type': evidence.contentType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-store',
  });
  res.status(200).send(content);
}
