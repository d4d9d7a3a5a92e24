import { Transform } from 'class-transformer';

/** Trims strings (names, titles) so " Alice " and "Alice" are the same. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Emails compare case-insensitively; we store them lower-cased. */
export const NormalizeEmail = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
