import { ConflictException } from '@nestjs/common';

import { sqlError } from './connection-errors.js';

/** What each foreign key of a written row points at, as a person would name it. */
const REFERRED: Array<[RegExp, string]> = [
  [/_tester_fkey$/, 'a tester'],
  [/_touchpoint_fkey$/, 'a touchpoint'],
  [/_scenario_fkey$/, 'a scenario'],
  [/_campaign_fkey$/, 'the campaign'],
  [/_(owner|person)_fkey$|_by_fkey$/, 'a person'],
];

/**
 * When a write failed because a row it refers to was deleted meanwhile (a foreign key violated by
 * an INSERT or UPDATE, not by a DELETE), what that row was ("a tester"); otherwise null.
 */
export function vanishedReference(error: unknown): string | null {
  const e = sqlError(error);
  if (e?.code !== '23503' || !/^insert or update on table/.test(e.message ?? '')) return null;
  return REFERRED.find(([pattern]) => pattern.test(e.constraint ?? ''))?.[1] ?? 'a row it refers to';
}

/** The 409 for a write whose inputs changed under it: it names what changed. */
export function vanishedReferenceConflict(what: string): ConflictException {
  return new ConflictException(
    `${what[0].toUpperCase()}${what.slice(1)} this request refers to was removed while it ran; try again`,
  );
}

/**
 * Runs `work` (a whole transaction) again, reading its inputs afresh, when a row it refers to was
 * deleted while it ran; after `attempts` tries, a 409 that names what changed.
 */
export async function retryWhenReferenceVanishes<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const what = vanishedReference(error);
      if (!what) throw error;
      if (attempt >= attempts) throw vanishedReferenceConflict(what);
    }
  }
}
