import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

import type { FieldError } from '../common/validation/validation-errors.js';
import { acceptedType, EVIDENCE_LIMITS, isFieldError } from './evidence-rules.js';
import type { EvidenceKind } from './evidence.entity.js';

/** A file ready to store: what it is, and its bytes as kept. */
export interface PreparedEvidence {
  kind: EvidenceKind;
  contentType: string;
  extension: string;
  content: Buffer;
  metadataStripped: boolean;
}

/**
 * An image decoded and encoded again in its own format: EXIF (with any GPS position), XMP, IPTC and ICC go,
 * the pixels stay (turned upright first, since the orientation tag goes too), scaled to fit the limit.
 */
export async function reencodeImage(input: Buffer, contentType: string): Promise<Buffer> {
  const side = EVIDENCE_LIMITS.imageSide;
  const image = sharp(input, { limitInputPixels: EVIDENCE_LIMITS.imagePixels, failOn: 'error' })
    .rotate()
    .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
  if (contentType === 'image/png') return image.png().toBuffer();
  if (contentType === 'image/webp') return image.webp({ quality: 85 }).toBuffer();
  return image.jpeg({ quality: 85 }).toBuffer();
}

/** Finds what the bytes are (never trusting the name or the browser's type) and prepares them, or says why not. */
export async function prepareEvidence(input: Buffer): Promise<PreparedEvidence | FieldError> {
  const found = acceptedType((await fileTypeFromBuffer(input))?.mime);
  if (isFieldError(found)) return found;
  if (found.kind !== 'image') return { ...found, content: input, metadataStripped: false };
  try {
    return { ...found, content: await reencodeImage(input, found.contentType), metadataStripped: true };
  } catch (error) {
    const tooBig = error instanceof Error && /pixel limit/i.test(error.message);
    const megapixels = EVIDENCE_LIMITS.imagePixels / 1_000_000;
    return tooBig
      ? { field: 'file', rule: 'imagePixels', message: `file must be an image of at most ${megapixels} megapixels` }
      : { field: 'file', rule: 'unreadable', message: 'file looks like an image but could not be read: it is damaged' };
  }
}
