import type { FieldError } from '../common/validation/validation-errors.js';
import type { EvidenceKind } from './evidence.entity.js';

const MiB = 1024 * 1024;

/** What one contact may carry: enough for a few photos and a long call, not a file store. */
export const EVIDENCE_LIMITS = {
  /** One file as uploaded (before an image is re-encoded). */
  fileBytes: 20 * MiB,
  /** Files attached to one contact. */
  filesPerContact: 10,
  /** All of one contact's files as stored. */
  contactBytes: 50 * MiB,
  /** An image larger than this is refused before it is decoded (a 48-megapixel phone photo passes). */
  imagePixels: 50_000_000,
  /** An image is scaled down to fit this square: a ticket stays legible, the store stays small. */
  imageSide: 4096,
} as const;

/** A type the bytes may be, as file-type names it, and what it becomes. */
interface Accepted {
  kind: EvidenceKind;
  extension: string;
  /** The type it is stored and served as. */
  contentType: string;
}

/** Accepted types by the MIME type found in the content. Images are re-encoded in their own format. */
export const ACCEPTED: Readonly<Record<string, Accepted>> = {
  'image/jpeg': { kind: 'image', extension: 'jpg', contentType: 'image/jpeg' },
  'image/png': { kind: 'image', extension: 'png', contentType: 'image/png' },
  'image/webp': { kind: 'image', extension: 'webp', contentType: 'image/webp' },
  'application/pdf': { kind: 'pdf', extension: 'pdf', contentType: 'application/pdf' },
  'audio/mpeg': { kind: 'audio', extension: 'mp3', contentType: 'audio/mpeg' },
  'audio/x-m4a': { kind: 'audio', extension: 'm4a', contentType: 'audio/mp4' },
  'audio/mp4': { kind: 'audio', extension: 'm4a', contentType: 'audio/mp4' },
  'audio/aac': { kind: 'audio', extension: 'aac', contentType: 'audio/aac' },
  'audio/ogg': { kind: 'audio', extension: 'ogg', contentType: 'audio/ogg' },
  'audio/opus': { kind: 'audio', extension: 'opus', contentType: 'audio/ogg' },
  'audio/wav': { kind: 'audio', extension: 'wav', contentType: 'audio/wav' },
  'audio/x-wav': { kind: 'audio', extension: 'wav', contentType: 'audio/wav' },
  'audio/flac': { kind: 'audio', extension: 'flac', contentType: 'audio/flac' },
  'audio/x-flac': { kind: 'audio', extension: 'flac', contentType: 'audio/flac' },
  'audio/amr': { kind: 'audio', extension: 'amr', contentType: 'audio/amr' },
};

/** What the form and the API say is accepted, in words. */
export const ACCEPTED_IN_WORDS =
  'a JPEG, PNG or WebP image, a PDF, or an audio recording (MP3, M4A, AAC, Ogg/Opus, WAV, FLAC or AMR)';

const fileError = (rule: string, message: string): FieldError => ({ field: 'file', rule, message });
const mib = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MB`;

/** The type the bytes were found to be, or the 4xx body's error saying why the file is refused. */
export function acceptedType(detectedMime: string | undefined): Accepted | FieldError {
  const found = detectedMime ? ACCEPTED[detectedMime] : undefined;
  if (found) return found;
  if (detectedMime === 'image/heic' || detectedMime === 'image/heif' || detectedMime === 'image/avif')
    return fileError(
      'fileType',
      'file is a HEIC/HEIF photo, which cannot be read here: choose "Most compatible" (JPEG) in the camera settings, ' +
        'or share the photo as JPEG',
    );
  if (detectedMime?.startsWith('video/'))
    return fileError('fileType', `file is a video (${detectedMime}); attach a photo, a PDF or an audio recording`);
  const what = detectedMime ? `is ${detectedMime}` : 'is of a type that could not be recognised from its content';
  return fileError('fileType', `file ${what}; it must be ${ACCEPTED_IN_WORDS}`);
}

export const isFieldError = (x: Accepted | FieldError): x is FieldError => 'rule' in x;

/** The refusal of a file the contact has no room for, or null when it fits. */
export function roomFor(already: { files: number; bytes: number }, adding: number): FieldError | null {
  if (already.files >= EVIDENCE_LIMITS.filesPerContact)
    return fileError(
      'filesPerContact',
      `a contact may carry at most ${EVIDENCE_LIMITS.filesPerContact} files; this one has ${already.files}`,
    );
  if (already.bytes + adding > EVIDENCE_LIMITS.contactBytes)
    return fileError(
      'contactBytes',
      `a contact's files may total at most ${mib(EVIDENCE_LIMITS.contactBytes)}; ` +
        `it has ${mib(already.bytes)} and this file is ${mib(adding)}`,
    );
  return null;
}

/** The refusal of a file larger than one file may be. */
export const tooLarge = (): FieldError =>
  fileError('fileBytes', `file must be at most ${mib(EVIDENCE_LIMITS.fileBytes)}`);

/** The refusal of an upload with no file in it. */
export const noFile = (): FieldError => fileError('required', 'file is required: attach one file');

/**
 * The name a file is kept and served under: the uploader's name without folders, control or markup characters,
 * at most 100 characters, and the extension of what the bytes really are.
 */
export function keptFileName(original: string | undefined, extension: string): string {
  const base = (original ?? '').split(/[\\/]/).pop() ?? '';
  const stem = base
    .replace(/\.[^.]*$/, '')
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[ ._]+|[ ._]+$/g, '')
    .slice(0, 100);
  return `${stem || 'evidence'}.${extension}`;
}
