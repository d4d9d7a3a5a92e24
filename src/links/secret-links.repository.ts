import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';

import { returningRows } from '../database/sql.js';
import { DigestLink } from './digest-link.entity.js';
import { LINK_KINDS, LinkKind, LinkKindSpec, RevocableKind, SingleUseKind } from './link-kinds.js';

/** A link to store: its hashed secret, what it opens, until when; an addressed kind's recipient and issuer. */
export interface NewLinkRow {
  organizationId: string;
  targetId: string;
  hash: string;
  expiresAt: Date;
  recipient?: string | null;
  issuedBy?: string | null;
}

/** A stored link, as every kind keeps it. */
export interface StoredLink {
  id: string;
  organizationId: string;
  /** What it opens: an assignment, an outcome or a digest run (LINK_KINDS' target). */
  targetId: string;
  expiresAt: Date;
  /** Always null for a kind that cannot be revoked. */
  revokedAt: Date | null;
  /** When a single-use link was used; always null for other kinds. */
  usedAt: Date | null;
}

export interface Revocation {
  at: Date;
  by: string | null;
  reason: string | null;
}

interface StoredLinkRow {
  id: string;
  organization_id: string;
  target_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  used_at: Date | null;
}

const spec = (kind: LinkKind): LinkKindSpec => LINK_KINDS[kind];

const storedLink = (row: StoredLinkRow): StoredLink => ({
  id: row.id,
  organizationId: row.organization_id,
  targetId: row.target_id,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  usedAt: row.used_at,
});

/**
 * Every query on the link tables (access_token, digest_link). The SQL is built from LINK_KINDS alone
 * (table and column names are constants there, never input), so each kind is stored, found and revoked
 * by the same statements.
 */
@Injectable()
export class SecretLinksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores links of one kind in one statement; answers each one's id by its hash. */
  async insert(manager: EntityManager, kind: LinkKind, rows: NewLinkRow[], now: Date): Promise<Map<string, string>> {
    if (rows.length === 0) return new Map();
    const s = spec(kind);
    const columns = ['organization_id', s.target, 'hash', 'expires_at'];
    const params: unknown[] = [
      rows.map((r) => r.organizationId),
      rows.map((r) => r.targetId),
      rows.map((r) => r.hash),
      rows.map((r) => r.expiresAt),
    ];
    const types = ['uuid', 'uuid', 'text', 'timestamptz'];
    if (s.addressed) {
      columns.push('recipient', 'issued_by');
      params.push(
        rows.map((r) => r.recipient ?? null),
        rows.map((r) => r.issuedBy ?? null),
      );
      types.push('text', 'uuid');
    }
    const arrays = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    params.push(now);
    const constants = [`$${params.length}::timestamptz`];
    const constantColumns = ['created_at'];
    if (s.purpose) {
      params.push(s.purpose);
      constants.push(`$${params.length}::text`);
      constantColumns.push('purpose');
    }
    const inserted = await manager.query<Array<{ id: string; hash: string }>>(
      `INSERT INTO ${s.table} (${[...columns, ...constantColumns].join(', ')})
       SELECT x.*, ${constants.join(', ')} FROM unnest(${arrays}) AS x
       RETURNING id, hash`,
      params,
    );
    return new Map(inserted.map((r) => [r.hash, r.id]));
  }

  /**
   * Moves when a target's links stop opening (`onlyLater`: never earlier than they do now); links that already
   * expired, or were revoked, stay closed.
   */
  async moveExpiry(
    manager: EntityManager,
    kind: LinkKind,
    targetId: string,
    to: Date,
    now: Date,
    onlyLater: boolean,
  ): Promise<number> {
    const s = spec(kind);
    const params: unknown[] = [targetId, to, now];
    if (s.purpose) params.push(s.purpose);
    const rows: Array<{ id: string }> = await manager.query(
      `UPDATE ${s.table} SET expires_at = ${onlyLater ? 'greatest(expires_at, $2)' : '$2'}
        WHERE ${s.target} = $1 AND expires_at > $3 ${s.revocable ? 'AND revoked_at IS NULL' : ''}
          ${s.purpose ? 'AND purpose = $4' : ''}
        RETURNING id`,
      params,
    );
    return rows.length;
  }

  /** The link of this kind with this hashed secret, whether or not it still opens anything. */
  async findByHash(kind: LinkKind, hash: string, manager = this.dataSource.manager): Promise<StoredLink | null> {
    const s = spec(kind);
    const params: unknown[] = [hash];
    if (s.purpose) params.push(s.purpose);
    const rows: StoredLinkRow[] = await manager.query(
      `SELECT id, organization_id, ${s.target} AS target_id, expires_at,
              ${s.revocable ? 'revoked_at' : 'NULL::timestamptz AS revoked_at'},
              ${s.singleUse ? 'used_at' : 'NULL::timestamptz AS used_at'}
         FROM ${s.table} WHERE hash = $1 ${s.purpose ? 'AND purpose = $2' : ''}`,
      params,
    );
    const [row] = rows;
    return row ? storedLink(row) : null;
  }

  /**
   * Marks a single-use link used, if it is unused and unexpired at `now`; answers it, or null when it was not
   * (one statement: of two requests racing with the same secret, exactly one gets the link).
   */
  async consume(manager: EntityManager, kind: SingleUseKind, hash: string, now: Date): Promise<StoredLink | null> {
    const s = spec(kind);
    const rows = await returningRows<StoredLinkRow>(
      manager,
      `UPDATE ${s.table} SET used_at = $2
        WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING id, organization_id, ${s.target} AS target_id, expires_at, NULL::timestamptz AS revoked_at, used_at`,
      [hash, now],
    );
    return rows[0] ? storedLink(rows[0]) : null;
  }

  /** How many links of a kind to this target were issued at or after `since`. */
  async countIssuedSince(
    kind: LinkKind,
    targetId: string,
    since: Date,
    manager = this.dataSource.manager,
  ): Promise<number> {
    const s = spec(kind);
    const params: unknown[] = [targetId, since];
    if (s.purpose) params.push(s.purpose);
    const [row]: Array<{ n: number }> = await manager.query(
      `SELECT count(*)::int AS n FROM ${s.table}
        WHERE ${s.target} = $1 AND created_at >= $2 ${s.purpose ? 'AND purpose = $3' : ''}`,
      params,
    );
    return row.n;
  }

  /** Deletes single-use links that expired before `before` (used or not): they can open nothing again. */
  async deleteExpired(kind: SingleUseKind, before: Date): Promise<number> {
    const s = spec(kind);
    const rows = await returningRows<{ id: string }>(
      this.dataSource.manager,
      `DELETE FROM ${s.table} WHERE expires_at < $1 RETURNING id`,
      [before],
    );
    return rows.length;
  }

  /** Revokes the target's open links (or, for an addressed kind, one recipient's); answers how many. */
  async revoke(
    manager: EntityManager,
    kind: RevocableKind,
    scope: { targetId: string; recipient?: string | null },
    revocation: Revocation,
  ): Promise<number> {
    const s = spec(kind);
    const params: unknown[] = [scope.targetId, revocation.at, revocation.by, revocation.reason];
    let oneRecipient = '';
    if (scope.recipient && !s.addressed) throw new Error(`${kind} links have no recipient`);
    if (scope.recipient) {
      params.push(scope.recipient);
      oneRecipient = `AND recipient = $${params.length}`;
    }
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE ${s.table} SET revoked_at = $2, revoked_by = $3, revoke_reason = $4
        WHERE ${s.target} = $1 AND revoked_at IS NULL ${oneRecipient}
        RETURNING id`,
      params,
    );
    return rows.length;
  }

  /** Whether any link to the run was mailed to this address. */
  async digestLinkSentTo(manager: EntityManager, runId: string, recipient: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM digest_link WHERE run_id = $1 AND recipient = $2 LIMIT 1',
      [runId, recipient],
    );
    return rows.length > 0;
  }

  /** A run's links, oldest first (a page of them, or all). */
  digestLinksOfRun(runId: string, page?: { limit: number; offset: number }): Promise<[DigestLink[], number]> {
    return this.dataSource.getRepository(DigestLink).findAndCount({
      where: { runId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: page?.limit,
      skip: page?.offset,
    });
  }

  /** These links, by recipient. */
  digestLinksByIds(ids: string[]): Promise<DigestLink[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DigestLink).find({ where: { id: In(ids) }, order: { recipient: 'ASC' } });
  }
}
