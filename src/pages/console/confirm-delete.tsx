import { ConflictException } from '@nestjs/common';
import type { Response } from 'express';

import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { sqlState } from '../../database/connection-errors.js';
import { PostButton } from './components.js';
import { rowOr404 } from './forms.js';
import { Layout, sendPage } from './layout.js';

/** A row to delete from the console, as its confirmation page names it. */
export interface Deletion {
  /** The row's id, and its name as people read it ("Noor Haddad"). */
  id: string;
  name: string;
  /** The kind of row, for the title ("person", "touchpoint"). */
  kind: string;
  /** What deleting it does, and what it keeps, in a sentence or two. */
  effect: string;
  /** The row's own page (where "keep it" goes back to) and the POST that deletes it. */
  back: string;
  action: string;
}

/** The service's refusal, with the row's name where its message names the id (`Person 5f…c2 owns …`). */
export const refusalText = (d: Deletion, message: string) =>
  message.replace(new RegExp(`^\\w+ ${d.id}`), d.name).replaceAll(d.id, d.name);

/**
 * Asks before deleting (a GET changes nothing): what goes, the one button that POSTs, and a way back. After a
 * refusal (409, the row is in use) the page says why instead, and offers no button.
 */
export function sendDeletePage(
  res: Response,
  session: CurrentSession,
  status: number,
  d: Deletion,
  refusal?: string,
): void {
  sendPage(
    res,
    status,
    <Layout session={session} path={d.back} title={`Delete the ${d.kind} ${d.name}?`}>
      {refusal ? (
        <div class="summary" role="alert">
          <p>
            <strong>Not deleted: {refusalText(d, refusal)}.</strong>
          </p>
        </div>
      ) : (
        <>
          <p>{d.effect}</p>
          <PostButton action={d.action} csrf={session.csrfToken} label={`Delete ${d.name}`} />
        </>
      )}
      <p>
        <a href={d.back}>{refusal ? `Back to ${d.name}` : `Keep ${d.name}`}</a>
      </p>
    </Layout>,
  );
}

/** One kind of row the admin pages show, through the API's service for it. */
export interface RowKind<T> {
  /** The kind, as pages name it ("person"), and its list, its rows' pages below it (`/people`, `/people/:id`). */
  kind: string;
  path: string;
  nameOf: (row: T) => string;
  read: (organizationId: string, id: string) => Promise<T>;
  flash: (session: CurrentSession, text: string) => Promise<void>;
}

/** One kind of row the admin pages delete, through the API's service for it. */
export interface DeletableKind<T> extends RowKind<T> {
  effect: string;
  remove: (organizationId: string, id: string) => Promise<void>;
}

/**
 * A kind's delete pages: `GET :id/delete` asks, `POST :id/delete` deletes through the API's service, flashes and
 * redirects (303) to the list; where the service refuses because the row is in use (409, as the API answers) the
 * confirmation page says why, nothing changed. A row not there is a 404 page.
 */
export class DeletePages<T extends { id: string }> {
  constructor(private readonly k: DeletableKind<T>) {}

  async confirm(session: CurrentSession, id: string, res: Response): Promise<void> {
    const row = await rowOr404(this.k.read(session.actor.organizationId, id), this.k.kind);
    sendDeletePage(res, session, 200, this.deletion(row));
  }

  async remove(session: CurrentSession, id: string, res: Response): Promise<void> {
    const org = session.actor.organizationId;
    const d = this.deletion(await rowOr404(this.k.read(org, id), this.k.kind));
    try {
      await this.k.remove(org, id);
    } catch (error) {
      if (error instanceof ConflictException) return sendDeletePage(res, session, 409, d, error.message);
      // rows the service does not count still refer to it (the API answers the same 409)
      if (sqlState(error) === '23503') return sendDeletePage(res, session, 409, d, 'other rows still refer to it');
      throw error;
    }
    await this.k.flash(session, `${d.name} is deleted.`);
    res.redirect(303, this.k.path);
  }

  private deletion(row: T): Deletion {
    const back = `${this.k.path}/${row.id}`;
    return {
      id: row.id,
      name: this.k.nameOf(row),
      kind: this.k.kind,
      effect: this.k.effect,
      back,
      action: `${back}/delete`,
    };
  }
}
