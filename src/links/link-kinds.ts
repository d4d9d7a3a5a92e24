import type { AppConfig } from '../config/app-config.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Where a kind of link keeps its hashed secrets, and what it opens. */
export interface LinkKindSpec {
  /** The link's first path segment: `${publicUrl}/${path}/${secret}`. */
  path: string;
  table: 'access_token' | 'digest_link' | 'signin_link';
  /** The column that names what the link opens. */
  target: 'assignment_id' | 'outcome_id' | 'run_id' | 'person_id';
  /** access_token keeps several kinds, told apart by purpose. */
  purpose?: string;
  /** Mailed to one address, and issued by someone (digest_link's recipient and issued_by). */
  addressed?: boolean;
  /** Can be withdrawn before it expires (its table keeps who did, when and why). */
  revocable?: boolean;
  /** Opens once: the first `consume` marks it used (its table's used_at), and it opens nothing after. */
  singleUse?: boolean;
  /** How long a link of this kind opens from its issue; null: the issuer says until when. */
  lifetimeMs: ((config: AppConfig) => number) | null;
}

/**
 * Every kind of link the service mails. Adding one (sign-in links, say) is an entry here, plus the
 * table column its target needs; issuing, resolving, expiry and revocation come with SecretLinks.
 */
export const LINK_KINDS = {
  /** A tester's outcome form for one revealed test (/t). */
  tester: { path: 't', table: 'access_token', target: 'assignment_id', purpose: 'outcome', lifetimeMs: null },
  /** A tester's answer to "did they get back to you?" about one outcome (/f). */
  followUp: {
    path: 'f',
    table: 'access_token',
    target: 'outcome_id',
    purpose: 'promise',
    // long enough for a holiday, short enough to be about this promise
    lifetimeMs: () => 14 * DAY,
  },
  /** One recipient's web page of one digest run (/d). */
  digest: {
    path: 'd',
    table: 'digest_link',
    target: 'run_id',
    addressed: true,
    revocable: true,
    lifetimeMs: (config) => config.digestLinkDays * DAY,
  },
  /** A person's one-time sign-in to the console (/signin): short, because a mailbox is not a safe. */
  signin: {
    path: 'signin',
    table: 'signin_link',
    target: 'person_id',
    singleUse: true,
    lifetimeMs: () => SIGNIN_LINK_MINUTES * MINUTE,
  },
} as const satisfies Record<string, LinkKindSpec>;

export type LinkKind = keyof typeof LINK_KINDS;

/** The kinds whose links can be revoked. */
export type RevocableKind = {
  [K in LinkKind]: (typeof LINK_KINDS)[K] extends { revocable: true } ? K : never;
}[LinkKind];

/** How long a sign-in link opens after it is mailed. */
export const SIGNIN_LINK_MINUTES = 15;

/** The kinds whose links open once. */
export type SingleUseKind = {
  [K in LinkKind]: (typeof LINK_KINDS)[K] extends { singleUse: true } ? K : never;
}[LinkKind];

/** A tester's link works until the window closes, plus the campaign's grace, plus two days to edit. */
export const TESTER_LINK_EDIT_PERIOD_MS = 48 * HOUR;

export function testerLinkExpiry(windowEnd: Date, graceMinutes: number): Date {
  return new Date(windowEnd.getTime() + graceMinutes * 60_000 + TESTER_LINK_EDIT_PERIOD_MS);
}
