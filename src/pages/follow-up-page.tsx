import { renderFragment } from '../common/jsx.js';
import { longDate, longDateTime } from '../common/locale.js';
import { page } from '../common/page-shell.js';
import { ANSWER_LABELS } from '../outcomes/follow-up-mail.js';
import type { PromiseLink } from '../outcomes/follow-up.service.js';

export type FollowUpAnswer = keyof typeof ANSWER_LABELS;

/**
 * "Did they get back to you?": the three answers, the one clicked in the mail already chosen, confirmed by a POST.
 * Dates in the reader's `locale` (their browser's language) and the tester's zone.
 */
export function followUpPage(
  link: PromiseLink,
  token: string,
  chosen: FollowUpAnswer | undefined,
  locale: string,
): string {
  const answers = Object.keys(ANSWER_LABELS) as FollowUpAnswer[];
  return page(
    'Did they get back to you?',
    renderFragment(
      <>
        <h1>Did {link.touchpointName} get back to you?</h1>
        <p>
          When you contacted them on {longDateTime(link.attemptedAt, link.zone, locale)}, {link.zone} time, you were
          promised a callback or an email by {longDate(link.promisedBy, locale)}.
        </p>
        {link.answer ? <p class="ok">You answered: {ANSWER_LABELS[link.answer]}. You can change it.</p> : null}
        <form method="post" action={`/f/${token}`}>
          <fieldset>
            <legend>Your answer</legend>
            {answers.map((key) => (
              <label for={`answer-${key}`} style="display:flex;gap:.5rem;align-items:center;min-height:44px">
                <input type="radio" id={`answer-${key}`} name="answer" value={key} checked={chosen === key} required />{' '}
                {ANSWER_LABELS[key]}
              </label>
            ))}
          </fieldset>
          <button type="submit">{chosen ? `Confirm: ${ANSWER_LABELS[chosen]}` : 'Save my answer'}</button>
        </form>
        <p class="hint">
          Following the matter up? The callback, or your chase, is the next contact of the case: record it on the test's
          own page (the link in the test's email).
        </p>
      </>,
    ),
  );
}
