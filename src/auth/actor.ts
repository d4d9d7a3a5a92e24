import type { Role } from './roles.js';

/**
 * Who acts, and through what. Through the API: a person, by an API key, with the roles they hold.
 * Through the console: a person signed in by a session cookie, with the roles they hold now (read on
 * each request). Through a link from their mail: the tester of that one test or outcome (the link's
 * secret is the only credential, so it carries no roles; every step re-checks that the person may still act).
 */
export type Actor = ApiActor | SessionActor | LinkActor;

export interface ApiActor {
  via: 'api';
  personId: string;
  organizationId: string;
  roles: Role[];
  /** The API key the request came with. */
  keyId: string;
}

export interface SessionActor {
  via: 'session';
  personId: string;
  organizationId: string;
  roles: Role[];
  /** The console session the request came with. */
  sessionId: string;
}

export interface LinkActor {
  via: 'link';
  personId: string;
  organizationId: string;
}

/** Whether the actor holds one of the roles; a link holds none (it acts only as its own test's tester). */
export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.via !== 'link' && roles.some((r) => actor.roles.includes(r));
}
