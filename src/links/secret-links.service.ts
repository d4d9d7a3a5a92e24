import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { Clock } from '../common/clock.js';
import { hashSecret, isSecret, newSecret } from '../common/secrets.js';
import { AppConfig } from '../config/app-config.js';
import { LINK_KINDS, LinkKind, RevocableKind, SingleUseKind } from './link-kinds.js';
import { Revocation, SecretLinksRepository, StoredLink } from './secret-links.repository.js';

/** A link to issue: what it opens; until when (else its kind's lifetime); an addressed kind's recipient, issuer. */
export interface LinkToIssue {
  organizationId: string;
  targetId: string;
  expiresAt?: Date;
  recipient?: string | null;
  issuedBy?: string | null;
}

/** An issued link: the secret (shown once, in the mail) and the link that carries it. */
export interface IssuedLink {
  id: string;
  secret: string;
  url: string;
}

/** What a link's secret opens: nothing, nothing any more, or its target. */
export type LinkResolution = { state: 'unknown' | 'expired' | 'revoked' } | { state: 'ok'; link: StoredLink };

/** What a single-use link's secret opens: as any link, or nothing because it was used. */
export type SingleUseResolution = LinkResolution | { state: 'used' };

/** Whether a stored link still opens its target at `now`: a revoked link says so even once it has expired. */
export function judgeLink(link: StoredLink | null, now: Date): SingleUseResolution {
  if (!link) return { state: 'unknown' };
  if (link.revokedAt) return { state: 'revoked' };
  if (link.usedAt) return { state: 'used' };
  if (now >= link.expiresAt) return { state: 'expired' };
  return { state: 'ok', link };
}

/**
 * Every emailed secret link (a tester's form, a follow-up question, a digest's page): issued with
 * 256 random bits of which only a hash is stored, resolved by that hash to the one thing it opens,
 * expired by its time, revoked where its kind allows. Kinds and their storage: LINK_KINDS.
 */
@Injectable()
export class SecretLinks {
  constructor(
    private readonly links: SecretLinksRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Issues links of one kind in the caller's transaction (they go out in its mail, or not at all). */
  async issue(manager: EntityManager, kind: LinkKind, links: LinkToIssue[]): Promise<IssuedLink[]> {
    const now = this.clock.now();
    const issued = links.map((link) => ({ link, secret: newSecret() }));
    const ids = await this.links.insert(
      manager,
      kind,
      issued.map(({ link, secret }) => ({
        organizationId: link.organizationId,
        targetId: link.targetId,
        hash: hashSecret(secret),
        expiresAt: link.expiresAt ?? this.expiry(kind, now),
        recipient: link.recipient,
        issuedBy: link.issuedBy,
      })),
      now,
    );
    return issued.map(({ secret }) => ({ id: ids.get(hashSecret(secret))!, secret, url: this.url(kind, secret) }));
  }

  /** Issues one link; answers it. */
  async issueOne(manager: EntityManager, kind: LinkKind, link: LinkToIssue): Promise<IssuedLink> {
    const [issued] = await this.issue(manager, kind, [link]);
    return issued;
  }

  /** When a link of a kind with a fixed lifetime, issued at `from`, stops opening. */
  expiry(kind: LinkKind, from: Date): Date {
    const lifetime = LINK_KINDS[kind].lifetimeMs;
    if (!lifetime) throw new Error(`${kind} links expire when their issuer says: give expiresAt`);
    return new Date(from.getTime() + lifetime(this.config));
  }

  /** The link of a kind behind a secret: one query, and none for text that cannot be a secret. */
  resolve(kind: SingleUseKind, secret: string): Promise<SingleUseResolution>;
  resolve(kind: Exclude<LinkKind, SingleUseKind>, secret: string): Promise<LinkResolution>;
  async resolve(kind: LinkKind, secret: string): Promise<SingleUseResolution> {
    if (!isSecret(secret)) return { state: 'unknown' };
    return judgeLink(await this.links.findByHash(kind, hashSecret(secret)), this.clock.now());
  }

  /**
   * Uses a single-use link in the caller's transaction: answers what it opens, or why it opens nothing (a link
   * used by a racing request, or just now expired, answers as `used` or `expired`).
   */
  async consume(manager: EntityManager, kind: SingleUseKind, secret: string): Promise<SingleUseResolution> {
    if (!isSecret(secret)) return { state: 'unknown' };
    const now = this.clock.now();
    const used = await this.links.consume(manager, kind, hashSecret(secret), now);
    if (used) return { state: 'ok', link: used };
    return judgeLink(await this.links.findByHash(kind, hashSecret(secret), manager), now);
  }

  /** Revokes a target's open links (or one recipient's): they answer as revoked from the next request on. */
  revoke(
    manager: EntityManager,
    kind: RevocableKind,
    scope: { targetId: string; recipient?: string | null },
    by: Omit<Revocation, 'at'>,
  ): Promise<number> {
    return this.links.revoke(manager, kind, scope, { ...by, at: this.clock.now() });
  }

  /**
   * Moves when a target's open links stop opening: later only (`extend`), or to exactly then (`close`); a link
   * that already expired or was revoked stays closed.
   */
  moveExpiry(
    manager: EntityManager,
    kind: LinkKind,
    targetId: string,
    to: Date,
    how: 'extend' | 'close',
  ): Promise<number> {
    return this.links.moveExpiry(manager, kind, targetId, to, this.clock.now(), how === 'extend');
  }

  /** The link that carries a secret of this kind. */
  url(kind: LinkKind, secret: string): string {
    return `${this.config.publicUrl}/${LINK_KINDS[kind].path}/${secret}`;
  }
}
