import { Transform } from 'class-transformer';

import { canonicalLocale } from '../locale.js';

/** Trims strings (names, titles) so " Alice " and "Alice" are the same. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Emails compare case-insensitively; we store them lower-cased. */
export const NormalizeEmail = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** A language tag in its canonical case (en-gb → en-GB); anything else is left for the validator to name. */
export const CanonicalLocale = () => Transform(({ value }: { value: unknown }) => canonicalLocale(value) ?? value);
