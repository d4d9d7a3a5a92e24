import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import type { Page } from '../../common/pagination.js';
import { preparedQuery, returningRows } from '../../database/sql.js';
import type { Role } from '../roles.js';

export interface NewSessionRow {
  organizationId: string;
  personId: string;
  tokenHash: string;
  csrfToken: string;
  createdAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/** A live session as a request sees it: whose, with the roles and name its person holds now. */
export interface LiveSession {
  id: string;
  organizationId: string;
  personId: string;
  roles: Role[];
  name: string;
  email: string;
  csrfToken: string;
  /** The message waiting for the next page, if any. */
  flash: string | null;
  /** When a request last wrote the session (its idle expiry slid from then). */
  lastSeenAt: Date;
}

/** One of a person's sessions, as "my sessions" lists it. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

interface LiveSessionRow {
  id: string;
  organization_id: string;
  person_id: string;
  roles: Role[];
  name: string;
  email: string;
  csrf_token: string;
  flash: string | null;
  last_seen_at: Date;
}

const liveSession = (row: LiveSessionRow): LiveSession => ({
  id: row.id,
  organizationId: row.organization_id,
  personId: row.person_id,
  roles: row.roles,
  name: row.name,
  email: row.email,
  csrfToken: row.csrf_token,
  flash: row.flash,
  lastSeenAt: row.last_seen_at,
});

/** Every query on `console_session`. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: NewSessionRow): Promise<string> {
    const [inserted]: Array<{ id: string }> = await manager.query(
      `INSERT INTO console_session (organization_id, person_id, token_hash, csrf_token, created_at, last_seen_at,
                                    idle_expires_at, absolute_expires_at, user_agent, ip)
       VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9) RETURNING id`,
      [
        row.organizationId,
        row.personId,
        row.tokenHash,
        row.csrfToken,
        row.createdAt,
        row.idleExpiresAt,
        row.absoluteExpiresAt,
        row.userAgent,
        row.ip,
      ],
    );
    return inserted.id;
  }

  /** The session with this token hash if it is live at `now` and its person still exists; writes nothing. */
  async findLive(tokenHash: string, now: Date): Promise<LiveSession | null> {
    const [row] = await preparedQuery<LiveSessionRow>(
      this.dataSource,
      'console-session-live',
      `SELECT s.id, s.organization_id, s.person_id, p.roles, p.name, p.email, s.csrf_token, s.flash, s.last_seen_at
         FROM console_session s
         JOIN person p ON p.id = s.person_id AND p.organization_id = s.organization_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2`,
      [tokenHash, now],
    );
    return row ? liveSession(row) : null;
  }

  /**
   * The session with this token hash if it is live at `now` and its person still exists, in one statement that
   * also slides its idle expiry (never past the absolute one) and, when `takeFlash`, clears its flash message.
   */
  async use(tokenHash: string, now: Date, idleMs: number, takeFlash: boolean): Promise<LiveSession | null> {
    const [row] = await returningRows<LiveSessionRow>(
      this.dataSource.manager,
      `UPDATE console_session s
          SET last_seen_at = $2,
              idle_expires_at = least($2::timestamptz + $3 * interval '1 millisecond', s.absolute_expires_at),
              flash = CASE WHEN $4 THEN NULL ELSE s.flash END
         FROM (SELECT id, flash FROM console_session WHERE token_hash = $1 FOR UPDATE) old, person p
        WHERE s.id = old.id AND s.revoked_at IS NULL AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2
          AND p.id = s.person_id AND p.organization_id = s.organization_id
        RETURNING s.id, s.organization_id, s.person_id, p.roles, p.name, p.email, s.csrf_token, old.flash,
                  s.last_seen_at`,
      [tokenHash, now, idleMs, takeFlash],
    );
    return row ? liveSession(row) : null;
  }

  async setFlash(sessionId: string, text: string): Promise<void> {
    await this.dataSource.query('UPDATE console_session SET flash = $2 WHERE id = $1', [sessionId, text]);
  }

  /** A person's sessions still live at `now`, the most recently used first. */
  async liveOfPerson(
    organizationId: string,
    personId: string,
    now: Date,
    page: { limit: number; offset: number },
  ): Promise<Page<SessionSummary>> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, user_agent, ip,
              count(*) OVER ()::int AS total
         FROM console_session
        WHERE organization_id = $1 AND person_id = $2 AND revoked_at IS NULL
          AND idle_expires_at > $3 AND absolute_expires_at > $3
        ORDER BY last_seen_at DESC, id
        LIMIT $4 OFFSET $5`,
      [organizationId, personId, now, page.limit, page.offset],
    );
    const total = rows.length ? (rows[0].total as number) : await this.countLive(organizationId, personId, now);
    return {
      total,
      items: rows.map((r) => ({
        id: r.id as string,
        createdAt: r.created_at as Date,
        lastSeenAt: r.last_seen_at as Date,
        idleExpiresAt: r.idle_expires_at as Date,
        absoluteExpiresAt: r.absolute_expires_at as Date,
        userAgent: r.user_agent as string | null,
        ip: r.ip as string | null,
      })),
    };
  }

  private async countLive(organizationId: string, personId: string, now: Date): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM console_session
        WHERE organization_id = $1 AND person_id = $2 AND revoked_at IS NULL
          AND idle_expires_at > $3 AND absolute_expires_at > $3`,
      [organizationId, personId, now],
    );
    return row.n;
  }

  /** Revokes one of the person's sessions; answers whether there was such a session to revoke. */
  async revoke(organizationId: string, personId: string, sessionId: string, now: Date): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE console_session SET revoked_at = $4
        WHERE id = $3 AND organization_id = $1 AND person_id = $2 AND revoked_at IS NULL RETURNING id`,
      [organizationId, personId, sessionId, now],
    );
    return rows.length > 0;
  }

  /** Deletes the sessions that can no longer be used at `now` (revoked or expired); answers how many. */
  async deleteEnded(now: Date): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      this.dataSource.manager,
      `DELETE FROM console_session
        WHERE revoked_at IS NOT NULL OR idle_expires_at <= $1 OR absolute_expires_at <= $1 RETURNING id`,
      [now],
    );
    return rows.length;
  }
}
