import { timingSafeEqual } from 'node:crypto';

import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { Clock } from '../../common/clock.js';
import type { Page } from '../../common/pagination.js';
import { hashSecret, isSecret, newSecret } from '../../common/secrets.js';
import { AppConfig } from '../../config/app-config.js';
import type { SessionActor } from '../actor.js';
import { LiveSession, SessionsRepository, SessionSummary } from './sessions.repository.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Where a sign-in came from, kept so a person can tell their sessions apart. */
export interface SessionOrigin {
  userAgent: string | null;
  ip: string | null;
}

/** A request's session: who acts, their name, the form token and the waiting message. */
export interface CurrentSession {
  actor: SessionActor;
  name: string;
  email: string;
  csrfToken: string;
  flash: string | null;
}

export function sessionActor(s: LiveSession): SessionActor {
  return { via: 'session', personId: s.personId, organizationId: s.organizationId, roles: s.roles, sessionId: s.id };
}

/**
 * How long a session's last write may stand before a request writes it again: a page and its follow-ups make one
 * write, not one each, and the idle expiry (slid from the last write) still holds to the minute.
 */
export const SESSION_WRITE_INTERVAL_MS = 60_000;

/** Whether a request on this live session must write it: its last write is a minute old, or it hands over a message. */
export function sessionNeedsWrite(
  live: Pick<LiveSession, 'lastSeenAt' | 'flash'>,
  now: Date,
  takeFlash: boolean,
): boolean {
  if (takeFlash && live.flash !== null) return true;
  return now.getTime() - live.lastSeenAt.getTime() >= SESSION_WRITE_INTERVAL_MS;
}

/** Whether a submitted form token is the session's (compared in constant time). */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * Console sessions: a 256-bit token in an HttpOnly cookie, of which only the hash is stored. A session lasts
 * while used (idle expiry slides on use, written at most once a minute) and never past its absolute expiry; its person's roles are
 * read on every request, so a role removed takes effect at once, and a person removed ends their sessions.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  private get idleMs(): number {
    return this.config.session.idleHours * HOUR;
  }

  /** Starts a session for the person in the caller's transaction; answers the token for the cookie (shown once). */
  async start(
    manager: EntityManager,
    person: { organizationId: string; personId: string },
    origin: SessionOrigin,
  ): Promise<{ token: string; sessionId: string }> {
    const now = this.clock.now();
    const absolute = new Date(now.getTime() + this.config.session.absoluteDays * DAY);
    const token = newSecret();
    const sessionId = await this.sessions.insert(manager, {
      ...person,
      tokenHash: hashSecret(token),
      csrfToken: newSecret(),
      createdAt: now,
      idleExpiresAt: new Date(Math.min(now.getTime() + this.idleMs, absolute.getTime())),
      absoluteExpiresAt: absolute,
      userAgent: origin.userAgent?.slice(0, 300) ?? null,
      ip: origin.ip,
    });
    return { token, sessionId };
  }

  /**
   * The live session behind a cookie's token, its idle expiry slid when its last write is a minute old; `takeFlash`
   * also hands over its message. A request within the minute only reads.
   */
  async authenticate(token: string | undefined, takeFlash: boolean): Promise<CurrentSession | null> {
    if (!token || !isSecret(token)) return null;
    const hash = hashSecret(token);
    const now = this.clock.now();
    const found = await this.sessions.findLive(hash, now);
    if (!found) return null;
    const live = sessionNeedsWrite(found, now, takeFlash)
      ? await this.sessions.use(hash, now, this.idleMs, takeFlash)
      : found;
    if (!live) return null;
    return {
      actor: sessionActor(live),
      name: live.name,
      email: live.email,
      csrfToken: live.csrfToken,
      flash: live.flash,
    };
  }

  /** A message for the next page this session shows (after a POST, before its redirect). */
  flash(actor: SessionActor, text: string): Promise<void> {
    return this.sessions.setFlash(actor.sessionId, text);
  }

  /** The person's own live sessions. */
  listOwn(actor: SessionActor, page: { limit: number; offset: number }): Promise<Page<SessionSummary>> {
    return this.sessions.liveOfPerson(actor.organizationId, actor.personId, this.clock.now(), page);
  }

  /** Ends one of the person's own sessions (this one, to sign out); another's is not found. */
  async revokeOwn(actor: SessionActor, sessionId: string): Promise<void> {
    const revoked = await this.sessions.revoke(actor.organizationId, actor.personId, sessionId, this.clock.now());
    if (!revoked) throw new NotFoundException(`Session ${sessionId} not found`);
  }

  /** The cleanup job: forgets sessions that can no longer be used. */
  deleteEnded(): Promise<number> {
    return this.sessions.deleteEnded(this.clock.now());
  }
}
