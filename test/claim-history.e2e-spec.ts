import { randomUUID } from 'node:crypto';

import { ManualClock } from '../src/common/clock.js';
import { MAX_CSV_ROWS } from '../src/common/csv/csv-import.js';
import {
  auth,
  newOrganization,
  personWithKey,
  TestOrganization,
  touchpointBody,
  created,
} from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Claims keep their history (who reported, every change with who, when, before and after; a
 * deletion too), owners change only their own claims and only until judged, and waits name their channel.
 */
let t: TestApp;
let org: TestOrganization;
let admin: string;
let quality: { person: { id: string }; key: string };
let owner: { person: { id: string }; key: string };
let otherOwner: { person: { id: string }; key: string };
/** The owner's touchpoint (phone, Pacific/Auckland: UTC+13 in November) and another owner's. */
let line: string;
let desk: string;

// the clock stands in the week of 2 Nov 2026 (a Monday); that week's claims are still running
const START = '2026-11-03T09:00:00Z';
const claim = (extra: Record<string, unknown> = {}) => ({
  metric: 'answer_rate',
  periodStart: '2026-11-02',
  periodEnd: '2026-11-08',
  value: 0.96,
  source: 'Weekly operations review',
  reportedAt: '2026-11-03T08:00:00Z',
  ...extra,
});

type Edit = {
  version: number;
  action: string;
  editedBy: string | null;
  via: string;
  editedAt: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

const post = (key: string, body: object) => t.http().post('/api/v1/claims').set(auth(key)).send(body);
const patch = (key: string, id: string, body: object) =>
  t.http().patch(`/api/v1/claims/${id}`).set(auth(key)).send(body);
const remove = (key: string, id: string) => t.http().delete(`/api/v1/claims/${id}`).set(auth(key));
const history = async (key: string, id: string, query = ''): Promise<{ items: Edit[]; total: number }> =>
  (await t.http().get(`/api/v1/claims/${id}/history${query}`).set(auth(key)).expect(200)).body;
const fieldRules = (body: { errors: Array<{ field: string; rule: string }> }) =>
  body.errors.map((e) => `${e.field}:${e.rule}`);
const count = async (table: string) =>
  (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE organization_id = $1`, [org.orgId]))[0]
    .n as number;

beforeAll(async () => {
  t = await createTestApp({ clock: new ManualClock(START) });
  org = await newOrganization(t);
  admin = org.adminKey;
  quality = await personWithKey(t, admin, ['quality']);
  owner = await personWithKey(t, admin, ['owner']);
  otherOwner = await personWithKey(t, admin, ['owner']);
  const made = (body: Record<string, unknown>) =>
    t.http().post('/api/v1/touchpoints').set(auth(admin)).send(touchpointBody(body)).expect(201);
  line = (await made({ name: 'General line', ownerId: owner.person.id, timezone: 'Pacific/Auckland' })).body.id;
  desk = (
    await made({ name: 'Front desk', channel: 'in_person', contact: '1 High St, Leeds', ownerId: otherOwner.person.id })
  ).body.id;
});
beforeEach(() => t.clock.set(START));
afterAll(() => t.close());

describe('the history of a claim', () => {
  it('records who created it, each change with before and after, and its deletion', async () => {
    const created = (await post(owner.key, claim({ touchpointId: line })).expect(201)).body;
    expect(created).toMatchObject({ reportedBy: owner.person.id, channel: 'phone' });
    t.clock.set('2026-11-03T10:00:00Z');
    await patch(owner.key, created.id, { value: 0.97 }).expect(200);
    await patch(owner.key, created.id, { value: 0.97 }).expect(200); // no change: no new version
    t.clock.set('2026-11-04T10:00:00Z');
    await patch(quality.key, created.id, { source: 'Board pack' }).expect(200);
    t.clock.set('2026-11-05T10:00:00Z');
    await remove(owner.key, created.id).expect(204);

    await t.http().get(`/api/v1/claims/${created.id}`).set(auth(owner.key)).expect(404);
    const listed = (await t.http().get('/api/v1/claims').set(auth(quality.key)).expect(200)).body.items;
    expect(listed.map((c: { id: string }) => c.id)).not.toContain(created.id);

    const trail = await history(owner.key, created.id);
    expect(trail.total).toBe(4);
    expect(trail.items.map((e) => [e.version, e.action, e.editedBy, e.via, e.editedAt])).toEqual([
      [1, 'created', owner.person.id, 'api', '2026-11-03T09:00:00.000Z'],
      [2, 'updated', owner.person.id, 'api', '2026-11-03T10:00:00.000Z'],
      [3, 'updated', quality.person.id, 'api', '2026-11-04T10:00:00.000Z'],
      [4, 'deleted', owner.person.id, 'api', '2026-11-05T10:00:00.000Z'],
    ]);
    const [first, second, third, deletion] = trail.items;
    expect(first.before).toBeNull();
    expect(first.after).toEqual({
      touchpointId: line,
      team: null,
      channel: 'phone',
      metric: 'answer_rate',
      periodStart: '2026-11-02',
      periodEnd: '2026-11-08',
      value: 0.96,
      source: 'Weekly operations review',
      reportedAt: '2026-11-03T08:00:00.000Z',
      reportedBy: owner.person.id,
    });
    expect([second.before?.value, second.after?.value]).toEqual([0.96, 0.97]);
    expect([third.before?.source, third.after?.source]).toEqual(['Weekly operations review', 'Board pack']);
    expect(deletion.before).toEqual({ ...first.after, value: 0.97, source: 'Board pack' });
    expect(deletion.after).toBeNull();

    // paged like every list
    const page = await history(quality.key, created.id, '?limit=2&offset=1');
    expect([page.total, page.items.map((e) => e.version)]).toEqual([4, [2, 3]]);
    await t.http().get(`/api/v1/claims/${created.id}/history?limit=0`).set(auth(quality.key)).expect(400);
  });

  it('is for admin, quality and the touchpoint owner; not a tester; another organization finds nothing', async () => {
    const id = (await post(quality.key, claim({ touchpointId: line })).expect(201)).body.id;
    for (const key of [admin, quality.key, owner.key]) expect((await history(key, id)).total).toBe(1);
    const tester = await personWithKey(t, admin, ['tester']);
    await t.http().get(`/api/v1/claims/${id}/history`).set(auth(tester.key)).expect(403);
    // an owner of another touchpoint, and another organization's admin: as if the claim did not exist
    const outsider = await newOrganization(t);
    for (const key of [otherOwner.key, outsider.adminKey]) {
      const theirs = await t.http().get(`/api/v1/claims/${id}/history`).set(auth(key)).expect(404);
      const nobody = randomUUID();
      const missing = await t.http().get(`/api/v1/claims/${nobody}/history`).set(auth(key)).expect(404);
      expect(theirs.body).toEqual({ ...missing.body, message: missing.body.message.replace(nobody, id) });
    }
    // a deleted claim's trail is as private as the claim was
    await remove(quality.key, id).expect(204);
    await t.http().get(`/api/v1/claims/${id}/history`).set(auth(outsider.adminKey)).expect(404);
    await t.http().get(`/api/v1/claims/${id}/history`).set(auth(otherOwner.key)).expect(404);
    expect((await history(owner.key, id)).total).toBe(2);
  });

  it('numbers changes made at the same moment one after the other', async () => {
    const id = (await post(quality.key, claim({ team: 'contact-centre' })).expect(201)).body.id;
    const values = [0.9, 0.91, 0.92, 0.93, 0.94];
    const answers = await Promise.all(values.map((value) => patch(quality.key, id, { value })));
    expect(answers.map((r) => r.status)).toEqual(values.map(() => 200));
    const trail = (await history(quality.key, id)).items;
    expect(trail.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    // each change starts from the one before it
    for (let i = 1; i < trail.length; i++) expect(trail[i].before).toEqual(trail[i - 1].after);
  });

  it('records an import, row by row', async () => {
    const csv = [
      'touchpoint,metric,periodStart,periodEnd,value,source,reportedAt',
      'General line,answer_rate,2026-11-02,2026-11-08,93%,Weekly review,2026-11-03T08:00:00Z',
    ];
    const res = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(owner.key))
      .set('Content-Type', 'text/csv')
      .send(csv.join('\n'))
      .expect(201);
    const [edit] = (await history(owner.key, res.body.ids[0])).items;
    expect(edit).toMatchObject({
      version: 1,
      action: 'created',
      editedBy: owner.person.id,
      via: 'import',
      after: { value: 0.93, channel: 'phone' },
    });
  });
});

describe('who may change a claim', () => {
  it("refuses an owner a claim quality recorded for their touchpoint, or another owner's", async () => {
    const byQuality = (await post(quality.key, claim({ touchpointId: line })).expect(201)).body.id;
    for (const res of [await patch(owner.key, byQuality, { value: 0.99 }), await remove(owner.key, byQuality)]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        rule: 'ownClaimsOnly',
        message: expect.stringMatching(/^Owners may change or delete only claims they reported themselves/),
      });
    }
    // the touchpoint changes hands: its new owner sees the claims the old one reported, and may not change them
    const mine = (
      await post(owner.key, claim({ touchpointId: line, metric: 'transfer_rate', value: 0.05 })).expect(201)
    ).body.id;
    await t
      .http()
      .patch(`/api/v1/touchpoints/${line}`)
      .set(auth(admin))
      .send({ ownerId: otherOwner.person.id })
      .expect(200);
    try {
      expect((await patch(otherOwner.key, mine, { value: 0.01 }).expect(403)).body.rule).toBe('ownClaimsOnly');
      await remove(otherOwner.key, mine).expect(403);
      await patch(owner.key, mine, { value: 0.01 }).expect(404); // no longer theirs to see
    } finally {
      await t
        .http()
        .patch(`/api/v1/touchpoints/${line}`)
        .set(auth(admin))
        .send({ ownerId: owner.person.id })
        .expect(200);
    }
    for (const id of [byQuality, mine]) expect((await history(admin, id)).total).toBe(1);
  });

  it("refuses an owner their own claim once judged: its period over in the touchpoint's zone", async () => {
    const id = (await post(owner.key, claim({ touchpointId: line })).expect(201)).body.id;
    // 8 Nov ends in Auckland at 11:00 UTC
    t.clock.set('2026-11-08T10:59:00Z');
    await patch(owner.key, id, { value: 0.95 }).expect(200);
    t.clock.set('2026-11-08T11:00:00Z');
    const refused = await patch(owner.key, id, { value: 0.99 }).expect(403);
    expect(refused.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      rule: 'notJudged',
      message:
        'Owners may not change or delete a claim once it is judged: ' +
        'its period ended on 2026-11-08 (Pacific/Auckland); quality or an admin can change it',
    });
    await remove(owner.key, id).expect(403);
    // quality and admins may, and it is on the record
    t.clock.set('2026-11-09T09:00:00Z');
    await patch(quality.key, id, { value: 0.9 }).expect(200);
    await remove(admin, id).expect(204);
    const trail = (await history(owner.key, id)).items;
    expect(
      trail.map((e) => [e.version, e.action, e.editedBy, e.before?.value ?? null, e.after?.value ?? null]),
    ).toEqual([
      [1, 'created', owner.person.id, null, 0.96],
      [2, 'updated', owner.person.id, 0.96, 0.95],
      [3, 'updated', quality.person.id, 0.95, 0.9],
      [4, 'deleted', org.adminId, 0.9, null],
    ]);
  });
});

describe('the channel of a claim', () => {
  it('is required for a wait claimed for a team or the whole organization', async () => {
    for (const scope of [{ team: 'contact-centre' }, {}]) {
      for (const metric of ['median_seconds_to_human', 'avg_seconds_to_human']) {
        const res = await post(quality.key, claim({ ...scope, metric, value: 45 })).expect(400);
        expect(fieldRules(res.body)).toEqual(['channel:requiredForWaits']);
        expect(res.body.message).toMatch(
          /channel is required for .+ claimed for a team or the whole organization: waits are never pooled across/,
        );
      }
    }
    const phone = (
      await post(
        quality.key,
        claim({ team: 'contact-centre', metric: 'median_seconds_to_human', value: 45, channel: 'phone' }),
      ).expect(201)
    ).body;
    expect(phone).toMatchObject({ team: 'contact-centre', channel: 'phone' });
    // and stays so: it cannot be taken away
    expect(fieldRules((await patch(quality.key, phone.id, { channel: null }).expect(400)).body)).toEqual([
      'channel:requiredForWaits',
    ]);
    expect((await patch(quality.key, phone.id, { value: 40 }).expect(200)).body.channel).toBe('phone');
  });

  it("is a touchpoint claim's own channel: left out or the same, never another", async () => {
    expect(
      (await post(quality.key, claim({ touchpointId: desk, metric: 'median_queue_seconds', value: 300 })).expect(201))
        .body.channel,
    ).toBe('in_person');
    expect(
      (await post(quality.key, claim({ touchpointId: desk, channel: 'in_person' })).expect(201)).body.channel,
    ).toBe('in_person');
    const res = await post(quality.key, claim({ touchpointId: desk, channel: 'phone' })).expect(400);
    expect(fieldRules(res.body)).toEqual(['channel:matchesTouchpoint']);
    expect(res.body.message).toMatch(/channel must be left out or be the touchpoint's own \(in_person\)/);
    // moving a team claim to a touchpoint takes the touchpoint's channel
    const team = (await post(quality.key, claim({ team: 'contact-centre', channel: 'chat' })).expect(201)).body;
    const moved = (await patch(quality.key, team.id, { touchpointId: desk, team: null }).expect(200)).body;
    expect(moved).toMatchObject({ touchpointId: desk, team: null, channel: 'in_person' });
  });

  it('is optional for other metrics, and one of the channels', async () => {
    expect((await post(quality.key, claim({ team: 'contact-centre' })).expect(201)).body.channel).toBeNull();
    expect((await post(quality.key, claim({ channel: 'chat' })).expect(201)).body).toMatchObject({
      touchpointId: null,
      team: null,
      channel: 'chat',
    });
    expect(fieldRules((await post(quality.key, claim({ channel: 'fax' })).expect(400)).body)).toEqual(['channel:isIn']);
  });

  it('follows the same rules in a CSV import, row by row', async () => {
    const before = await count('claim');
    const csv = [
      'touchpoint,team,channel,metric,periodStart,periodEnd,value,source,reportedAt',
      ',contact-centre,,median_seconds_to_human,2026-11-02,2026-11-08,45,Weekly review,2026-11-03T08:00:00Z',
      'Front desk,,phone,answer_rate,2026-11-02,2026-11-08,90%,Weekly review,2026-11-03T08:00:00Z',
      ',,email,avg_seconds_to_human,2026-11-02,2026-11-08,3600,Weekly review,2026-11-03T08:00:00Z',
      ',,fax,answer_rate,2026-11-02,2026-11-08,90%,Weekly review,2026-11-03T08:00:00Z',
    ];
    const res = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality.key))
      .set('Content-Type', 'text/csv')
      .send(csv.join('\n'))
      .expect(400);
    expect(
      res.body.errors.map((e: { row: number; line: number; field: string; rule: string }) => [
        e.row,
        e.line,
        e.field,
        e.rule,
      ]),
    ).toEqual([
      [1, 2, 'channel', 'requiredForWaits'],
      [2, 3, 'channel', 'matchesTouchpoint'],
      [4, 5, 'channel', 'isIn'],
    ]);
    expect(await count('claim')).toBe(before);
    const fixed = [csv[0], csv[1].replace(',,median', ',phone,median'), csv[2].replace(',phone,', ',,'), csv[3]].join(
      '\n',
    );
    const ok = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality.key))
      .set('Content-Type', 'text/csv')
      .send(fixed)
      .expect(201);
    const channels = [];
    for (const id of ok.body.ids)
      channels.push((await t.http().get(`/api/v1/claims/${id}`).set(auth(quality.key)).expect(200)).body.channel);
    expect(channels).toEqual(['phone', 'in_person', 'email']);
  });
});

describe('the import row limit', () => {
  const limit = MAX_CSV_ROWS.toLocaleString('en');
  const LIMIT_MESSAGE = `The CSV has more than ${limit} rows: at most ${limit} per import`;
  const rows = (n: number) =>
    [
      'team,channel,metric,periodStart,periodEnd,value,source,reportedAt',
      ...Array.from(
        { length: n },
        (_, i) => `team-${i},phone,answer_rate,2026-11-02,2026-11-08,0.9,Weekly review,2026-11-03T08:00:00Z`,
      ),
    ].join('\n');

  it(`refuses more than ${MAX_CSV_ROWS} rows with a 400, writing nothing, and takes exactly that many`, async () => {
    const [claims, edits] = [await count('claim'), await count('claim_edit')];
    const over = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality.key))
      .set('Content-Type', 'text/csv')
      .send(rows(MAX_CSV_ROWS + 1))
      .expect(400);
    expect(over.body.message).toBe(LIMIT_MESSAGE);
    expect([await count('claim'), await count('claim_edit')]).toEqual([claims, edits]);
    const full = await t
      .http()
      .post('/api/v1/claims/import')
      .set(auth(quality.key))
      .set('Content-Type', 'text/csv')
      .send(rows(MAX_CSV_ROWS))
      .expect(201);
    expect(full.body.created).toBe(MAX_CSV_ROWS);
    expect([await count('claim'), await count('claim_edit')]).toEqual([claims + MAX_CSV_ROWS, edits + MAX_CSV_ROWS]);
  }, 60_000);

  it('is the one limit of every import, and the API documents it', async () => {
    const long = (header: string, row: (i: number) => string) =>
      [header, ...Array.from({ length: MAX_CSV_ROWS + 1 }, (_, i) => row(i))].join('\n');
    const people = long('email,name,roles,timezone', (i) => `p${i}@example.org,P ${i},tester,UTC`);
    const touchpoints = long(
      'name,channel,contact,timezone,openingHours',
      (i) => `Line ${i},phone,+44 20 7946 0000,UTC,mon 09:00-17:00`,
    );
    for (const [kind, csv] of [
      ['people', people],
      ['touchpoints', touchpoints],
    ]) {
      const res = await t
        .http()
        .post(`/api/v1/${kind}/import`)
        .set(auth(admin))
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(400);
      expect(res.body.message).toBe(LIMIT_MESSAGE);
    }
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    for (const kind of ['people', 'touchpoints', 'claims']) {
      expect(doc.paths[`/api/v1/${kind}/import`].post.requestBody.description).toContain(
        `At most ${MAX_CSV_ROWS.toLocaleString('en')} rows per import`,
      );
    }
    expect(doc.paths['/api/v1/claims/{id}'].patch.description).toMatch(
      /only until it is judged: until its period has ended.+ownClaimsOnly, notJudged/,
    );
  });
});

describe('a deleted claim', () => {
  it('leaves the digest with it', async () => {
    const body = {
      name: 'Weekly',
      recipients: ['quality@example.org'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
      periodDays: 7,
    };
    const sub = (await t.http().post('/api/v1/digest-subscriptions').set(auth(quality.key)).send(body).expect(201))
      .body;
    const id = (await post(quality.key, claim({ touchpointId: desk, source: 'Digest check' })).expect(201)).body.id;
    const preview = async () =>
      JSON.stringify(
        (
          await t
            .http()
            .get(`/api/v1/digest-subscriptions/${sub.id}/preview?periodStart=2026-11-02`)
            .set(auth(quality.key))
            .expect(200)
        ).body,
      );
    expect(await preview()).toContain(id);
    await remove(quality.key, id).expect(204);
    expect(await preview()).not.toContain(id);
  });
});

describe('claims older than their history', () => {
  it('get version 1 from the migration, and a touchpoint claim gets its touchpoint channel', async () => {
    const app = await createTestApp({ clock: new ManualClock(START) });
    try {
      const o = await newOrganization(app);
      const tp = (
        await created(
          app,
          o.adminKey,
          '/api/v1/touchpoints',
          touchpointBody({ channel: 'chat', contact: 'https://example.org/chat' }),
        )
      ).id;
      const q = (body: object) => app.http().post('/api/v1/claims').set(auth(o.adminKey)).send(body).expect(201);
      const ids = [(await q(claim({ touchpointId: tp }))).body.id, (await q(claim({ team: 'sales' }))).body.id];
      // back to before the history (and whatever came after it), then forward again
      const applied = async () =>
        (await app.dataSource.query(`SELECT 1 FROM migrations WHERE name = 'ClaimHistory1765100000000'`)).length;
      while (await applied()) await app.dataSource.undoLastMigration({ transaction: 'each' });
      await app.dataSource.query(`UPDATE claim SET created_at = '2026-10-01T12:00:00Z'`);
      await app.dataSource.runMigrations({ transaction: 'each' });
      const [line, team] = await Promise.all(
        ids.map(
          async (id) => (await app.http().get(`/api/v1/claims/${id}/history`).set(auth(o.adminKey)).expect(200)).body,
        ),
      );
      expect(line.items).toEqual([
        {
          id: expect.any(String),
          version: 1,
          action: 'created',
          editedBy: o.adminId,
          via: 'migration',
          editedAt: '2026-10-01T12:00:00.000Z',
          before: null,
          after: {
            touchpointId: tp,
            team: null,
            channel: 'chat',
            metric: 'answer_rate',
            periodStart: '2026-11-02',
            periodEnd: '2026-11-08',
            value: 0.96,
            source: 'Weekly operations review',
            reportedAt: '2026-11-03T08:00:00.000Z',
            reportedBy: o.adminId,
          },
        },
      ]);
      expect(team.items[0].after).toMatchObject({ team: 'sales', channel: null });
      // and its next change is version 2
      await app.http().patch(`/api/v1/claims/${ids[0]}`).set(auth(o.adminKey)).send({ value: 0.9 }).expect(200);
      const after = (await app.http().get(`/api/v1/claims/${ids[0]}/history`).set(auth(o.adminKey)).expect(200)).body;
      expect(after.items.map((e: Edit) => [e.version, e.action, e.before?.value])).toEqual([
        [1, 'created', undefined],
        [2, 'updated', 0.96],
      ]);
    } finally {
      await app.close();
    }
  });
});
