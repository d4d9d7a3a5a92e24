import { ConflictException } from '@nestjs/common';
import type { Response } from 'express';

import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { sqlState } from '../../database/connection-errors.js';
import { PostButton } from './components.js';
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

/**
 * Deletes through the API's service: done, it flashes and redirects (303) to `to`; refused because the row is in
 * use (409), the confirmation page says why, nothing changed.
 */
export async function deleteConfirmed(
  res: Response,
  session: CurrentSession,
  d: Deletion,
  remove: () => Promise<void>,
  done: (text: string) => Promise<void>,
  to: string,
): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (error instanceof ConflictException) return sendDeletePage(res, session, 409, d, error.message);
    // rows the service does not count still refer to it (the API answers the same 409)
    if (sqlState(error) === '23503') return sendDeletePage(res, session, 409, d, 'other rows still refer to it');
    throw error;
  }
  await done(`${d.name} is deleted.`);
  res.redirect(303, to);
}
