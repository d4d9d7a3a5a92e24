import { OWNER_VIEW_DELAY_DAYS } from '../common/owner-view.js';

/**
 * Digests a touchpoint's owner reads show tests no sooner than the assignments API does (src/common/owner-view.ts):
 * a digest with such a reader reports the period that ended a week before it goes out, and one made for staff
 * alone opens to such a reader (API or re-issued link) only once its period is a week past.
 */

export const OWNER_DIGEST_DELAY_MS = OWNER_VIEW_DELAY_DAYS * 86_400_000;

/**
 * Person `p` may want to know when a touchpoint is tested: holds the owner role or owns a touchpoint. Admins and
 * quality see every planned test anyway, so a digest is not held back for them.
 */
export const OWNER_READER = `(NOT (p.roles && ARRAY['admin', 'quality']::text[])
  AND ('owner' = ANY(p.roles) OR EXISTS (SELECT 1 FROM touchpoint own WHERE own.owner_id = p.id)))`;

/** The first moment an owner may read a digest whose evidence ends at `evidenceEnd`. */
export const ownerMayReadFrom = (evidenceEnd: Date): Date => new Date(evidenceEnd.getTime() + OWNER_DIGEST_DELAY_MS);
