import { DigestRunsService } from '../../src/digests/digest-runs.service.js';
import { DigestSubscription } from '../../src/digests/digest-subscription.entity.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { auth, personWithKey, TestOrganization, created } from './factories.js';
import { smallCampaign } from './small-campaign.js';
import type { TestApp } from './test-app.js';

export const ROLE_NAMES = ['admin', 'quality', 'tester', 'owner'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/**
 * One organization as the access tests see it: a person (and key) for each role, each holding only
 * that role; the tester made the organization's first test, which is completed; the owner owns that
 * test's touchpoint, which has further tests planned (still secret); a digest of that touchpoint
 * went to the owner.
 */
export interface AccessWorld {
  org: TestOrganization;
  key: Record<RoleName, string>;
  person: Record<RoleName, { id: string; email: string; name: string }>;
  /** A tester of the campaign who holds none of the keys above. */
  bystander: { id: string; name: string; email: string };
  /** A key of the bystander's, revoked, and its id. */
  revokedKey: string;
  revokedKeyId: string;
  otherTesterNames: string[];
  campaign: string;
  scenario: string;
  /** The owner's touchpoint, and one nobody owns. */
  touchpoint: string;
  unownedTouchpoint: string;
  /** The first test: completed by the tester (in the other organization it is still planned). */
  completed: string;
  outcome: string;
  /** Tests of the owner's touchpoint still planned (in the future), by window start. */
  planned: Array<{ id: string; windowStart: Date; testerId: string }>;
  /** A claim the owner reported for their touchpoint (its period still to come), and quality's for the unowned one. */
  claim: string;
  unownedClaim: string;
  subscription: string;
  digestRun: string;
  /** The raw secrets of the tester's link (for the completed test) and of the digest's web link. */
  testerLink: string | null;
  digestLink: string;
}

const outcomeBody = (attemptedAt: Date) => ({
  attemptedAt: attemptedAt.toISOString(),
  reachedHuman: true,
  secondsToHuman: 95,
  resolution: 'partial',
  optionsExplained: true,
  courtesy: 4,
  knowledge: 3,
  notes: 'Put on hold twice.',
  answers: { offered_alternative: false },
  caseContinues: true,
});

/** The secret in the link of an outbox mail (by its dedupe key): `/t/…` or `/d/…`. */
export async function linkOf(t: TestApp, dedupeKey: string, kind: 't' | 'd' | 'f'): Promise<string> {
  const rows: Array<{ text_body: string }> = await t.dataSource.query(
    'SELECT text_body FROM outbox_message WHERE dedupe_key LIKE $1',
    [dedupeKey],
  );
  const match = rows.map((r) => new RegExp(`/${kind}/([A-Za-z0-9_-]{43})`).exec(r.text_body)).find(Boolean);
  if (!match) throw new Error(`no /${kind}/ link in mail ${dedupeKey}`);
  return match[1];
}

async function organization(t: TestApp) {
  const { org, testers, campaignId } = await smallCampaign(t);
  const [first] = await t.dataSource.query(
    'SELECT id, tester_id, touchpoint_id FROM assignment WHERE campaign_id = $1 ORDER BY window_start, id LIMIT 1',
    [campaignId],
  );
  const quality = await personWithKey(t, org.adminKey, ['quality'], { name: 'Quinn Quality' });
  const owner = await personWithKey(t, org.adminKey, ['owner'], { name: 'Olive Owner' });
  await t
    .http()
    .patch(`/api/v1/touchpoints/${first.touchpoint_id}`)
    .set(auth(org.adminKey))
    .send({ ownerId: owner.person.id })
    .expect(200);
  const tester = testers.find((x) => x.person.id === first.tester_id)!;
  const others = testers.filter((x) => x !== tester);
  const [unowned] = await t.dataSource.query('SELECT id FROM touchpoint WHERE organization_id = $1 AND id <> $2', [
    org.orgId,
    first.touchpoint_id,
  ]);
  const [scenario] = await t.dataSource.query('SELECT id FROM scenario WHERE organization_id = $1', [org.orgId]);
  const [admin] = await t.dataSource.query('SELECT id, email, name FROM person WHERE id = $1', [org.adminId]);
  const named = async (id: string) =>
    (await t.dataSource.query('SELECT id, email, name FROM person WHERE id = $1', [id]))[0];
  const revoked = await created(t, org.adminKey, `/api/v1/people/${others[0].person.id}/api-keys`, {
    label: 'old phone',
  });
  await t
    .http()
    .delete(`/api/v1/people/${others[0].person.id}/api-keys/${revoked.id}`)
    .set(auth(org.adminKey))
    .expect(204);
  return {
    org,
    campaignId,
    first: first.id as string,
    touchpoint: first.touchpoint_id as string,
    unowned: unowned.id as string,
    scenario: scenario.id as string,
    key: { admin: org.adminKey, quality: quality.key, tester: tester.key, owner: owner.key },
    person: {
      admin,
      quality: await named(quality.person.id),
      tester: await named(tester.person.id),
      owner: await named(owner.person.id),
    },
    bystander: await named(others[0].person.id),
    revokedKey: revoked.key as string,
    revokedKeyId: revoked.id as string,
    otherTesterNames: (await Promise.all(others.map((x) => named(x.person.id)))).map((p) => p.name as string),
  };
}

/**
 * Two organizations built the same way; only the first has its first test completed (the second
 * is "another organization": its ids must answer as if they did not exist). The app's clock must
 * stand before 1 March 2027, the week the campaigns plan; it ends in the first test's window.
 */
export async function accessWorlds(t: TestApp): Promise<{ own: AccessWorld; other: AccessWorld }> {
  const own = await organization(t);
  const other = await organization(t);
  const [first] = await t.dataSource.query('SELECT reveal_at, window_start FROM assignment WHERE id = $1', [own.first]);
  t.clock.set(first.reveal_at);
  await t.app.get(JobsService).run('reveal');
  t.clock.set(new Date(first.window_start.getTime() + 20 * 60_000));
  const recorded = await t
    .http()
    .put(`/api/v1/assignments/${own.first}/outcome`)
    .set(auth(own.key.tester))
    .send(outcomeBody(new Date(first.window_start.getTime() + 10 * 60_000)));
  if (recorded.status !== 200)
    throw new Error(`outcome not recorded: ${recorded.status} ${JSON.stringify(recorded.body)}`);
  // the test goes on as a case: its second contact, a callback the same afternoon
  const later = await t
    .http()
    .post(`/api/v1/outcomes/${recorded.body.id}/case/contacts`)
    .set(auth(own.key.tester))
    .send({ kind: 'callback', attemptedAt: t.clock.now().toISOString(), reachedHuman: true, status: 'continues' });
  if (later.status !== 201) throw new Error(`case contact not recorded: ${later.status} ${JSON.stringify(later.body)}`);
  const adHoc = await t
    .http()
    .post('/api/v1/outcomes')
    .set(auth(other.key.tester))
    .send({ ...outcomeBody(t.clock.now()), answers: {}, touchpointId: other.touchpoint });
  if (adHoc.status !== 201)
    throw new Error(`ad-hoc outcome not recorded: ${adHoc.status} ${JSON.stringify(adHoc.body)}`);
  return {
    own: await finish(t, own, recorded.body.id, await linkOf(t, `reveal:${own.first}`, 't')),
    other: await finish(t, other, adHoc.body.id, null),
  };
}

async function finish(
  t: TestApp,
  b: Awaited<ReturnType<typeof organization>>,
  outcome: string,
  testerLink: string | null,
): Promise<AccessWorld> {
  const claim = async (touchpointId: string, key: string) =>
    (
      await created(t, key, '/api/v1/claims', {
        touchpointId,
        metric: 'answer_rate',
        value: 0.96,
        periodStart: '2027-03-01',
        periodEnd: '2027-03-07',
        source: 'Weekly review',
        reportedAt: '2027-03-01T08:00:00Z',
      })
    ).id as string;
  const sub = await created(t, b.key.quality, '/api/v1/digest-subscriptions', {
    name: 'Owner digest',
    recipients: [b.person.owner.id],
    touchpointIds: [b.touchpoint],
    cron: '0 8 * * 1',
    timezone: 'UTC',
    periodDays: 7,
    minContacts: 1,
  });
  await t.app
    .get(DigestRunsService)
    .sendOne(await t.dataSource.getRepository(DigestSubscription).findOneByOrFail({ id: sub.id }), t.clock.now());
  const [run] = await t.dataSource.query('SELECT id FROM digest_run WHERE subscription_id = $1', [sub.id]);
  const planned = await t.dataSource.query(
    `SELECT id, window_start, tester_id FROM assignment WHERE touchpoint_id = $1 AND status = 'planned' AND window_start > $2 ORDER BY window_start`,
    [b.touchpoint, t.clock.now()],
  );
  if (planned.length === 0) throw new Error("the owner's touchpoint has no test planned after the first");
  return {
    org: b.org,
    key: b.key,
    person: b.person,
    bystander: b.bystander,
    revokedKey: b.revokedKey,
    revokedKeyId: b.revokedKeyId,
    otherTesterNames: b.otherTesterNames,
    campaign: b.campaignId,
    scenario: b.scenario,
    touchpoint: b.touchpoint,
    unownedTouchpoint: b.unowned,
    completed: b.first,
    outcome,
    planned: planned.map((p: { id: string; window_start: Date; tester_id: string }) => ({
      id: p.id,
      windowStart: p.window_start,
      testerId: p.tester_id,
    })),
    claim: await claim(b.touchpoint, b.key.owner),
    unownedClaim: await claim(b.unowned, b.key.quality),
    subscription: sub.id,
    digestRun: run.id,
    testerLink,
    digestLink: await linkOf(t, `digest:${sub.id}:%`, 'd'),
  };
}
