import { DateTime } from 'luxon';

import { insideWeekly } from './support/calendar-check.js';
import {
  auth,
  newOrganization,
  personWithKey,
  scenarioBody,
  TestOrganization,
  touchpointBody,
  created,
} from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * A 4-week campaign over 20 touchpoints in 4 time zones and 10 testers in 4 others, across the
 * weeks when the US (14 March 2027) and Europe (28 March 2027) put their clocks forward.
 */
let t: TestApp;
let org: TestOrganization;
const touchpoints: Array<{
  id: string;
  timezone: string;
  openingHours: Array<{ day: string; open: string; close: string }>;
  closures: Array<{ from: string; to: string }>;
  ownerId: string | null;
}> = [];
const testers: Array<{
  id: string;
  key: string;
  timezone: string;
  workingHours: Array<{ day: string; start: string; end: string }>;
  leave: Array<{ from: string; to: string }>;
}> = [];
let campaignId: string;
let qualityKey: string;
let ownerKey: string;
let ownerId: string;
type Row = {
  id: string;
  testerId: string;
  touchpointId: string;
  windowStart: string;
  windowEnd: string;
  revealAt: string;
  status: string;
};
let plan: Row[] = [];

const TP_ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
const TESTER_ZONES = ['Europe/London', 'America/Chicago', 'Europe/Berlin', 'Asia/Singapore'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

async function all(path: string, key: string): Promise<Row[]> {
  const items: Row[] = [];
  for (let offset = 0; ; offset += 200) {
    const res = await t
      .http()
      .get(`${path}${path.includes('?') ? '&' : '?'}limit=200&offset=${offset}`)
      .set(auth(key))
      .expect(200);
    items.push(...res.body.items);
    if (items.length >= res.body.total) return items;
  }
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2027-02-26T12:00:00Z');
  org = await newOrganization(t);
  qualityKey = (await personWithKey(t, org.adminKey, ['quality'])).key;
  const owner = await personWithKey(t, org.adminKey, ['owner']);
  ownerKey = owner.key;
  ownerId = owner.person.id;

  for (let i = 0; i < 10; i++) {
    const timezone = TESTER_ZONES[i % TESTER_ZONES.length];
    // Testers 0–2 also own touchpoints: they must never test their own.
    const roles = i < 3 ? ['tester', 'owner'] : ['tester'];
    const workingHours = WEEKDAYS.map((day) => ({
      day,
      start: i % 2 ? '07:00' : '10:00',
      end: i % 2 ? '15:00' : '19:00',
    }));
    const leave = i === 4 ? [{ from: '2027-03-08', to: '2027-03-12' }] : [];
    const { person, key } = await personWithKey(t, org.adminKey, roles, { timezone, workingHours, leave });
    testers.push({ id: person.id, key, timezone, workingHours, leave });
  }
  for (let i = 0; i < 20; i++) {
    const timezone = TP_ZONES[i % TP_ZONES.length];
    const openingHours = [
      ...WEEKDAYS.map((day) => ({ day, open: '08:00', close: i % 3 === 0 ? '20:00' : '18:00' })),
      ...(i % 2 ? [{ day: 'sat', open: '09:00', close: '13:00' }] : []),
    ];
    const closures = i === 5 ? [{ from: '2027-03-15', to: '2027-03-16', reason: 'refit' }] : [];
    const ownerId = i < 3 ? testers[i].id : i === 3 ? owner.person.id : null;
    const res = await t
      .http()
      .post('/api/v1/touchpoints')
      .set(auth(org.adminKey))
      .send(touchpointBody({ timezone, openingHours, closures, ownerId }))
      .expect(201);
    touchpoints.push({ id: res.body.id, timezone, openingHours, closures, ownerId });
  }
  await created(t, org.adminKey, '/api/v1/scenarios', scenarioBody({ channels: ['phone'] }));

  const newCampaign = await created(t, qualityKey, '/api/v1/campaigns', {
    name: 'Spring ride-alongs',
    touchpointIds: touchpoints.map((x) => x.id),
    testerIds: testers.map((x) => x.id),
    contactsPerTouchpointPerWeek: 2,
    windowMinutes: 60,
    revealLeadMinutes: 120,
    minSpacingHours: 24,
    testerWeeklyCap: 5,
    rotationDays: 14,
    startsOn: '2027-03-01',
    endsOn: '2027-03-28',
  });
  campaignId = newCampaign.id;
  const planned = await t
    .http()
    .post(`/api/v1/campaigns/${campaignId}/plan`)
    .set(auth(qualityKey))
    .send({ from: '2027-03-01', to: '2027-03-28' })
    .expect(200);
  expect(planned.body.weeksPlanned).toEqual(['2027-03-01', '2027-03-08', '2027-03-15', '2027-03-22']);
  plan = await all(`/api/v1/assignments?campaignId=${campaignId}`, qualityKey);
});
afterAll(() => t.close());

describe('planning a 4-week campaign', () => {
  it('plans most slots and records the others with a reason', async () => {
    const unfilled = await t.dataSource.query('SELECT reason FROM unfilled_slot WHERE campaign_id = $1', [campaignId]);
    expect(plan.length + unfilled.length).toBe(20 * 2 * 4);
    // Sydney's opening hours overlap few testers' working hours, so rotation and caps leave some
    // slots unfilled; each must say why.
    expect(plan.length).toBeGreaterThanOrEqual(120);
    for (const u of unfilled)
      expect([
        'rotation',
        'tester_weekly_cap_reached',
        'no_tester_available',
        'only_owner_available',
        'testers_busy',
        'spacing',
      ]).toContain(u.reason);
    expect(plan.every((a) => a.status === 'planned')).toBe(true);
  });

  it("puts every window inside opening hours in the touchpoint's zone and working hours in the tester's", () => {
    const tps = new Map(touchpoints.map((x) => [x.id, x]));
    const ts = new Map(testers.map((x) => [x.id, x]));
    for (const a of plan) {
      const tp = tps.get(a.touchpointId)!;
      const tester = ts.get(a.testerId)!;
      const [start, end] = [Date.parse(a.windowStart), Date.parse(a.windowEnd)];
      expect(end - start).toBe(60 * 60_000);
      expect(
        insideWeekly(
          tp.openingHours.map((h) => ({ day: h.day, from: h.open, to: h.close })),
          tp.closures,
          tp.timezone,
          start,
          end,
        ),
      ).toBe(true);
      expect(
        insideWeekly(
          tester.workingHours.map((h) => ({ day: h.day, from: h.start, to: h.end })),
          tester.leave,
          tester.timezone,
          start,
          end,
        ),
      ).toBe(true);
      expect(Date.parse(a.revealAt)).toBe(start - 120 * 60_000);
    }
  });

  it('never lets an owner test their own touchpoint, and keeps spacing, caps and rotation', () => {
    const owners = new Map(touchpoints.map((x) => [x.id, x.ownerId]));
    const byTouchpoint = new Map<string, number[]>();
    const byTesterWeek = new Map<string, number>();
    const byTesterTouchpoint = new Map<string, number[]>();
    for (const a of plan) {
      expect(a.testerId).not.toBe(owners.get(a.touchpointId));
      const start = Date.parse(a.windowStart);
      byTouchpoint.set(a.touchpointId, [...(byTouchpoint.get(a.touchpointId) ?? []), start]);
      const week = DateTime.fromMillis(start, { zone: touchpoints.find((x) => x.id === a.touchpointId)!.timezone })
        .startOf('week')
        .toISODate();
      byTesterWeek.set(`${a.testerId}|${week}`, (byTesterWeek.get(`${a.testerId}|${week}`) ?? 0) + 1);
      byTesterTouchpoint.set(`${a.testerId}|${a.touchpointId}`, [
        ...(byTesterTouchpoint.get(`${a.testerId}|${a.touchpointId}`) ?? []),
        start,
      ]);
    }
    for (const starts of byTouchpoint.values())
      for (const x of starts)
        for (const y of starts) if (x !== y) expect(Math.abs(x - y)).toBeGreaterThanOrEqual(24 * 3600_000);
    for (const n of byTesterWeek.values()) expect(n).toBeLessThanOrEqual(5);
    for (const starts of byTesterTouchpoint.values())
      for (const x of starts)
        for (const y of starts) if (x !== y) expect(Math.abs(x - y)).toBeGreaterThanOrEqual(14 * 86_400_000);
  });

  it('tests every 2-hour block of the day that some touchpoint is open in, and keeps out of closures and leave', () => {
    const open = new Set<number>();
    for (const tp of touchpoints)
      for (const h of tp.openingHours)
        for (let b = Number(h.open.slice(0, 2)) >> 1; b <= (Number(h.close.slice(0, 2)) - 1) >> 1; b++) open.add(b);
    const tested = new Set(
      plan.map(
        (a) =>
          DateTime.fromISO(a.windowStart, { zone: touchpoints.find((x) => x.id === a.touchpointId)!.timezone }).hour >>
          1,
      ),
    );
    expect([...tested].sort()).toEqual([...open].sort());
    const onLeave = testers[4].id;
    expect(
      plan.filter((a) => a.testerId === onLeave && a.windowStart >= '2027-03-08' && a.windowStart < '2027-03-13'),
    ).toEqual([]);
  });

  it('adds nothing when the same period is planned again', async () => {
    const again = await t
      .http()
      .post(`/api/v1/campaigns/${campaignId}/plan`)
      .set(auth(qualityKey))
      .send({ from: '2027-03-01', to: '2027-03-28' })
      .expect(200);
    expect(again.body).toMatchObject({
      planned: 0,
      unfilled: [],
      weeksPlanned: [],
      weeksAlreadyPlanned: ['2027-03-01', '2027-03-08', '2027-03-15', '2027-03-22'],
    });
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM assignment WHERE campaign_id = $1', [
      campaignId,
    ]);
    expect(n).toBe(plan.length);
  });
});

describe('secrecy of the plan through the API', () => {
  it('shows a tester none of their planned assignments, in lists or by id', async () => {
    for (const tester of testers.slice(0, 4)) {
      const mine = plan.filter((a) => a.testerId === tester.id);
      expect(mine.length).toBeGreaterThan(0);
      const listed = await t.http().get('/api/v1/assignments').set(auth(tester.key)).expect(200);
      expect(listed.body).toEqual({ items: [], total: 0 });
      const filtered = await t
        .http()
        .get(`/api/v1/assignments?testerId=${tester.id}&status=planned`)
        .set(auth(tester.key))
        .expect(200);
      expect(filtered.body.total).toBe(0);
      const byId = await t.http().get(`/api/v1/assignments/${mine[0].id}`).set(auth(tester.key)).expect(404);
      expect(JSON.stringify(byId.body)).not.toContain(mine[0].touchpointId);
    }
  });

  it('shows an owner nothing about planned tests of their touchpoints', async () => {
    const theirs = plan.filter((a) => a.touchpointId === touchpoints[3].id);
    expect(theirs.length).toBeGreaterThan(0);
    expect((await t.http().get('/api/v1/assignments').set(auth(ownerKey)).expect(200)).body.total).toBe(0);
    expect(
      (await t.http().get(`/api/v1/assignments?touchpointId=${touchpoints[3].id}`).set(auth(ownerKey)).expect(200)).body
        .total,
    ).toBe(0);
    await t.http().get(`/api/v1/assignments/${theirs[0].id}`).set(auth(ownerKey)).expect(404);
    await t.http().get(`/api/v1/campaigns/${campaignId}`).set(auth(ownerKey)).expect(403);
    await t
      .http()
      .post(`/api/v1/campaigns/${campaignId}/plan`)
      .set(auth(ownerKey))
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .expect(403);
    void ownerId;
  });

  it('shows the seed to admins only', async () => {
    const asAdmin = await t.http().get(`/api/v1/campaigns/${campaignId}`).set(auth(org.adminKey)).expect(200);
    expect(asAdmin.body.seed).toMatch(/^[0-9a-f]{32}$/);
    const asQuality = await t.http().get(`/api/v1/campaigns/${campaignId}`).set(auth(qualityKey)).expect(200);
    expect(asQuality.body.seed).toBeUndefined();
    const listed = await t.http().get('/api/v1/campaigns').set(auth(qualityKey)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(asAdmin.body.seed);
  });

  it('shows another organization nothing', async () => {
    const other = await newOrganization(t);
    expect((await t.http().get('/api/v1/assignments').set(auth(other.adminKey)).expect(200)).body.total).toBe(0);
    await t.http().get(`/api/v1/assignments/${plan[0].id}`).set(auth(other.adminKey)).expect(404);
    await t.http().get(`/api/v1/campaigns/${campaignId}`).set(auth(other.adminKey)).expect(404);
    await t
      .http()
      .post(`/api/v1/campaigns/${campaignId}/plan`)
      .set(auth(other.adminKey))
      .send({ from: '2027-03-01', to: '2027-03-07' })
      .expect(404);
    await t.http().post(`/api/v1/assignments/${plan[0].id}/cancel`).set(auth(other.adminKey)).expect(404);
  });
});

describe('campaign validation', () => {
  it('names every bad field', async () => {
    const res = await t
      .http()
      .post('/api/v1/campaigns')
      .set(auth(qualityKey))
      .send({
        name: 'x',
        testerIds: [],
        contactsPerTouchpointPerWeek: 0,
        windowMinutes: 50,
        startsOn: '2027-03-01',
        endsOn: '2027-02-01',
        holdLeadMinutes: 60,
      })
      .expect(400);
    const fields = res.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort();
    expect(fields).toEqual(
      [
        'contactsPerTouchpointPerWeek:min',
        'endsOn:isNotBefore',
        'holdLeadMinutes:isLongerThanRevealLead',
        'testerIds:arrayMinSize',
        'windowMinutes:isMultipleOf',
      ].sort(),
    );
    const none = await t
      .http()
      .post('/api/v1/campaigns')
      .set(auth(qualityKey))
      .send({ name: 'x', testerIds: [testers[0].id], contactsPerTouchpointPerWeek: 1, startsOn: '2027-03-01' })
      .expect(400);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'touchpointIds', rule: 'selectsTouchpoints' })]);
  });

  it('requires testers to hold the tester role and ids to be of the organization', async () => {
    const res = await t
      .http()
      .post('/api/v1/campaigns')
      .set(auth(qualityKey))
      .send({
        name: 'x',
        team: 'contact-centre',
        testerIds: [ownerId],
        scenarioIds: ['7c9e6679-7425-40de-944b-e07fc1f90ae7'],
        contactsPerTouchpointPerWeek: 1,
        startsOn: '2027-03-01',
      })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['scenarioIds', 'testerIds']);
  });
});
