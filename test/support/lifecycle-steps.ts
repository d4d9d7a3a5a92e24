import { DateTime } from 'luxon';

import { ManualClock } from '../../src/common/clock.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { linkOf } from './access-world.js';
import type { SmallCampaign } from './small-campaign.js';
import { createTestApp, type TestApp } from './test-app.js';

/* The steps the lifecycle specs take on a small campaign (see small-campaign.ts): its rows, a revealed test, an outcome. */

/** An assignment row as the lifecycle specs read it (week_start as its date text). */
export interface AssignmentRow {
  id: string;
  tester_id: string;
  touchpoint_id: string;
  week_start: string;
  slot: number;
  reveal_at: Date;
  window_start: Date;
  window_end: Date;
  status: string;
  replaces_id: string | null;
}

/** Sunday noon before the small campaign's planned week. */
export const SMALL_CAMPAIGN_START = '2027-02-28T12:00:00Z';

/** Every assignment of the campaign, by window. */
export const assignmentsOf = (t: TestApp, campaignId: string): Promise<AssignmentRow[]> =>
  t.dataSource.query(
    'SELECT *, week_start::text AS week_start FROM assignment WHERE campaign_id = $1 ORDER BY window_start, id',
    [campaignId],
  );

/** One assignment row as stored. */
export const assignmentRow = async (t: TestApp, id: string) =>
  (await t.dataSource.query('SELECT * FROM assignment WHERE id = $1', [id]))[0];

/** An unanswered contact five minutes into the window, as the API takes it. */
export const unansweredOutcome = (a: { window_start: Date }, notes?: string) => ({
  attemptedAt: new Date(a.window_start.getTime() + 5 * 60_000).toISOString(),
  reachedHuman: false,
  resolution: 'unresolved',
  optionsExplained: false,
  notes,
  answers: { offered_alternative: false },
});

/** The same contact as a phone posts the outcome form, in the tester's zone. */
export const unansweredForm = (a: { window_start: Date }, zone: string) => ({
  attemptedAt: DateTime.fromJSDate(new Date(a.window_start.getTime() + 5 * 60_000), { zone }).toFormat(
    "yyyy-MM-dd'T'HH:mm",
  ),
  reachedHuman: 'no',
  transfers: '0',
  disconnects: '0',
  resolution: 'unresolved',
  optionsExplained: 'no',
  'answers.offered_alternative': 'no',
});

/** The first test of the campaign, revealed to its tester: its row, the tester's key and zone, and the link's secret. */
export async function revealFirst(t: TestApp, world: SmallCampaign) {
  const [first] = await assignmentsOf(t, world.campaignId);
  t.clock.set(first.reveal_at);
  await t.app.get(JobsService).run('reveal');
  const tester = world.testers.find((x) => x.person.id === first.tester_id)!;
  const [{ timezone }] = await t.dataSource.query('SELECT timezone FROM person WHERE id = $1', [first.tester_id]);
  return { first, tester, zone: timezone as string, link: await linkOf(t, `reveal:${first.id}`, 't') };
}

/** Runs the work on an app of its own whose clock starts at `start`, and closes it. */
export async function withApp(work: (t: TestApp) => Promise<void>, start = SMALL_CAMPAIGN_START): Promise<void> {
  const t = await createTestApp({ clock: new ManualClock(start) });
  try {
    await work(t);
  } finally {
    await t.close();
  }
}
