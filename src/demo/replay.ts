import type { NestExpressApplication } from '@nestjs/platform-express';
import { DateTime } from 'luxon';

import { BootstrapService } from '../bootstrap/bootstrap.service.js';
import { SeededRandom } from '../campaigns/planner/random.js';
import type { ManualClock } from '../common/clock.js';
import { JobsService } from '../jobs/jobs.service.js';
import type { JobName } from '../jobs/schedules.js';
import { ApiClient } from './api-client.js';
import {
  CAMPAIGNS,
  DECLINE_REASONS,
  DEMO_ADMIN,
  DEMO_ORGANISATION,
  DemoClaim,
  GAP_THAT_MATTERS,
  Journey,
  JOURNEY_STARTS_BEFORE_DAYS,
  JourneyContact,
  JOURNEYS,
  PEOPLE,
  SCENARIOS,
  SCOPE_CLAIMS,
  TOUCHPOINTS,
  TRY_IT,
  VISITOR,
} from './demo-organisation.js';
import { Draw, drawOutcome } from './outcome-model.js';
import type { DrawnOutcome } from './outcome-model.js';

const ZONE = 'Europe/London';
export const WEEKS = 8;

/** What the demo keeps between runs (in DATA_DIR/demo.json): ids and the keys it was shown once. */
export interface DemoState {
  organizationId: string;
  adminKey: string;
  keys: Record<string, string>;
  personIds: Record<string, string>;
  touchpointIds: Record<string, string>;
  subscriptionId: string;
  firstMonday: string;
}

export interface ReplayStats {
  planned: number;
  completed: number;
  declined: number;
  missed: number;
  claims: number;
  digests: number;
  mails: number;
  requests: number;
}

interface AssignmentItem {
  id: string;
  testerId: string;
  touchpointId: string;
  windowStart: string;
  windowEnd: string;
  status: string;
}

/**
 * The Monday (London) that starts the first of the eight replayed weeks: the last week ends on the
 * Sunday before the latest Monday 09:00 that has passed, so its digest has gone out by now.
 */
export function firstMondayBefore(now: Date): DateTime {
  let monday = DateTime.fromJSDate(now, { zone: ZONE }).startOf('week');
  if (DateTime.fromJSDate(now, { zone: ZONE }) < monday.set({ hour: 9, minute: 5 }))
    monday = monday.minus({ weeks: 1 });
  return monday.minus({ weeks: WEEKS });
}

/**
 * Creates the organisation, its people (with keys), touchpoints, scenarios and campaigns through the API, and the
 * visitor's campaign of the days before `demoStart` (the real time the replay catches up with).
 */
export async function createDemoOrganisation(
  app: NestExpressApplication,
  api: ApiClient,
  firstMonday: DateTime,
  demoStart: Date,
): Promise<DemoState> {
  const { organization, apiKey } = await app.get(BootstrapService).bootstrap({
    name: DEMO_ORGANISATION,
    adminEmail: DEMO_ADMIN.email,
    adminName: DEMO_ADMIN.name,
    timezone: DEMO_ADMIN.timezone,
  });
  const admin = apiKey.key;
  await api.call(admin, 'PATCH', '/api/v1/organization/settings', { gapThatMatters: GAP_THAT_MATTERS });
  const personIds: Record<string, string> = {};
  const keys: Record<string, string> = {};
  for (const p of PEOPLE) {
    const leave = (p.leaveWeeks ?? []).map((w) => {
      const monday = firstMonday.plus({ weeks: w });
      return { from: monday.toISODate()!, to: monday.plus({ days: 4 }).toISODate()!, reason: 'Annual leave' };
    });
    const person = await api.call<{ id: string }>(admin, 'POST', '/api/v1/people', {
      email: p.email,
      name: p.name,
      roles: p.roles,
      timezone: p.timezone,
      workingHours: p.workingHours,
      leave,
    });
    personIds[p.key] = person.id;
    keys[p.key] = (
      await api.call<{ key: string }>(admin, 'POST', `/api/v1/people/${person.id}/api-keys`, { label: 'demo' })
    ).key;
  }
  // the visitor signs in to the console: no API key
  const { email, name, roles, timezone, workingHours } = VISITOR;
  personIds[VISITOR.key] = (
    await api.call<{ id: string }>(admin, 'POST', '/api/v1/people', { email, name, roles, timezone, workingHours })
  ).id;
  const touchpointIds: Record<string, string> = {};
  for (const t of TOUCHPOINTS) {
    const created = await api.call<{ id: string }>(admin, 'POST', '/api/v1/touchpoints', {
      name: t.name,
      channel: t.channel,
      contact: t.contact,
      timezone: t.timezone,
      openingHours: t.openingHours,
      closures: [],
      ownerId: personIds[t.owner],
      team: t.team,
    });
    touchpointIds[t.key] = created.id;
  }
  const scenarioIds: Record<string, string> = {};
  for (const s of SCENARIOS) {
    const { key, ...body } = s;
    scenarioIds[key] = (await api.call<{ id: string }>(keys.quality, 'POST', '/api/v1/scenarios', body)).id;
  }
  const testerIds = PEOPLE.filter((p) => p.roles.includes('tester')).map((p) => personIds[p.key]);
  const lastSunday = firstMonday.plus({ weeks: WEEKS }).minus({ days: 1 });
  for (const c of CAMPAIGNS) {
    const email = c.touchpoints.some((k) => TOUCHPOINTS.find((t) => t.key === k)!.channel === 'email');
    await api.call(keys.quality, 'POST', '/api/v1/campaigns', {
      name: c.name,
      touchpointIds: c.touchpoints.map((k) => touchpointIds[k]),
      testerIds,
      scenarioIds: [scenarioIds[c.scenario]],
      contactsPerTouchpointPerWeek: c.perTouchpoint ?? 4,
      ...(c.byNeed ? { allocation: 'by-need', ...c.byNeed } : {}),
      windowMinutes: 60,
      revealLeadMinutes: 240,
      remindBeforeMinutes: 30,
      // an email's reply can take days; a call is done within the day
      graceMinutes: email ? 4 * 24 * 60 : 12 * 60,
      minSpacingHours: c.minSpacingHours ?? 20,
      testerWeeklyCap: 5,
      rotationDays: c.rotationDays ?? 7,
      allowOwnerSelfTest: false,
      startsOn: firstMonday.toISODate(),
      endsOn: lastSunday.toISODate(),
      horizonDays: c.horizonDays ?? 14,
    });
  }
  await createTryItCampaign(api, keys.quality, demoStart, {
    touchpointId: touchpointIds[TRY_IT.touchpoint],
    testerId: personIds[VISITOR.key],
    scenarioId: scenarioIds[TRY_IT.scenario],
  });
  return {
    organizationId: organization.id,
    adminKey: admin,
    keys,
    personIds,
    touchpointIds,
    subscriptionId: '',
    firstMonday: firstMonday.toISODate()!,
  };
}

/** The visitor's campaign: a test of the web chat a week, in the days before the demo starts, open a week after. */
async function createTryItCampaign(
  api: ApiClient,
  qualityKey: string,
  demoStart: Date,
  ids: { touchpointId: string; testerId: string; scenarioId: string },
): Promise<void> {
  const today = DateTime.fromJSDate(demoStart, { zone: ZONE }).startOf('day');
  await api.call(qualityKey, 'POST', '/api/v1/campaigns', {
    name: TRY_IT.name,
    touchpointIds: [ids.touchpointId],
    testerIds: [ids.testerId],
    scenarioIds: [ids.scenarioId],
    contactsPerTouchpointPerWeek: 1,
    windowMinutes: 60,
    revealLeadMinutes: 240,
    remindBeforeMinutes: 30,
    graceMinutes: TRY_IT.graceMinutes,
    minSpacingHours: 0,
    testerWeeklyCap: 5,
    rotationDays: 0,
    allowOwnerSelfTest: false,
    startsOn: today.minus({ days: TRY_IT.days }).toISODate(),
    endsOn: today.minus({ days: 1 }).toISODate(),
    horizonDays: 14,
  });
}

/**
 * Plays the weeks hour by hour on the clock: the nightly plan, reveals, testers making their
 * contacts (or declining, or forgetting), reminders and expiries, Monday's claims from the
 * reviews, the Monday digest, and the outbox writing every mail.
 */
export async function replay(
  app: NestExpressApplication,
  api: ApiClient,
  clock: ManualClock,
  state: DemoState,
  until: Date,
  progress: (line: string) => void,
): Promise<ReplayStats> {
  const jobs = app.get(JobsService);
  const run = (name: JobName) => jobs.run(name);
  const draw = new Draw(new SeededRandom('groundtruth demo', state.organizationId));
  const stats: ReplayStats = {
    planned: 0,
    completed: 0,
    declined: 0,
    missed: 0,
    claims: 0,
    digests: 0,
    mails: 0,
    requests: 0,
  };
  const testerKeyById = new Map(PEOPLE.map((p) => [state.personIds[p.key], state.keys[p.key]]));
  const visitorId = state.personIds[VISITOR.key];
  const testerZoneById = new Map(PEOPLE.map((p) => [state.personIds[p.key], p.timezone]));
  const touchpointById = new Map(TOUCHPOINTS.map((t) => [state.touchpointIds[t.key], t]));
  const firstMonday = DateTime.fromISO(state.firstMonday, { zone: ZONE });
  const seen = new Set<string>();
  const skipped = new Set<string>(); // revealed tests their testers never got round to
  const pending = new Map<
    string,
    { body: Record<string, unknown>; recordAt: Date; testerId: string; journey?: Journey; zone?: string }
  >();
  const caseContacts: CaseContactDue[] = []; // journeys' later contacts, oldest first

  const lastWeek = firstMonday.plus({ weeks: WEEKS - 1 });
  const journeyAt = new Map<string, string>(); // journey key → the assignment it was recorded on
  let t = DateTime.fromJSDate(clock.now(), { zone: ZONE }).startOf('hour');
  // the first weeks' figures are set before anything is planned, so a by-need campaign steers on them at once
  stats.claims += await postClaims(api, state, firstMonday, t, draw);
  stats.planned += count(await run('plan'), 'planned');
  while (t.toJSDate() <= until) {
    clock.set(t.toJSDate());
    // Friday afternoon's reviews set the figures of the periods that begin on Monday
    const monday = t.plus({ days: 3 }).startOf('day');
    if (t.weekday === 5 && t.hour === 16 && monday < firstMonday.plus({ weeks: WEEKS })) {
      stats.claims += await postClaims(api, state, monday, t, draw);
    }
    if (t.hour === 2) stats.planned += count(await run('plan'), 'planned');
    // the quality lead subscribes once the first week is under way (its first digest covers it)
    if (!state.subscriptionId && t >= firstMonday.set({ hour: 10 })) state.subscriptionId = await subscribe(api, state);

    await run('reveal');
    const revealed = await api.all<AssignmentItem>(state.adminKey, `/api/v1/assignments?status=revealed`);
    for (const a of revealed) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      if (a.testerId === visitorId) continue; // left open for the visitor
      const key = testerKeyById.get(a.testerId)!;
      if (draw.chance(0.06)) {
        await api.call(key, 'POST', `/api/v1/assignments/${a.id}/decline`, { reason: draw.pick(DECLINE_REASONS) });
        stats.declined++;
      } else if (draw.chance(0.05)) {
        skipped.add(a.id);
      } else {
        const tp = touchpointById.get(a.touchpointId)!;
        const zone = testerZoneById.get(a.testerId)!;
        const window = { start: new Date(a.windowStart), end: new Date(a.windowEnd) };
        const drawn = drawOutcome(tp.truth, draw, window, zone, tp.channel);
        // the last week's digest shows each journey: its touchpoint's first test of that week, after Monday's digest
        const journey = JOURNEYS.find((j) => j.touchpoint === tp.key && !journeyAt.has(j.key));
        const inWeek = window.start >= lastWeek.set({ hour: 12 }).toJSDate();
        // early enough in the week that its case's later contacts are in that week's digest too
        const early = window.start < lastWeek.plus({ days: JOURNEY_STARTS_BEFORE_DAYS }).toJSDate();
        if (journey && inWeek && early) {
          journeyAt.set(journey.key, a.id);
          pending.set(a.id, { ...asJourney(journey, drawn, zone, window), testerId: a.testerId, journey, zone });
        } else {
          pending.set(a.id, { ...drawn, testerId: a.testerId });
        }
      }
    }
    for (const [id, p] of pending) {
      if (p.recordAt > clock.now()) continue;
      pending.delete(id);
      try {
        const key = testerKeyById.get(p.testerId)!;
        const outcome = await api.call<{ id: string }>(key, 'PUT', `/api/v1/assignments/${id}/outcome`, p.body);
        stats.completed++;
        const first = new Date(p.body.attemptedAt as string);
        for (const c of p.journey?.later ?? [])
          caseContacts.push({ outcomeId: outcome.id, key, zone: p.zone!, at: caseContactAt(first, c), contact: c });
        caseContacts.sort((x, y) => x.at.getTime() - y.at.getTime());
      } catch (error) {
        // recorded after its grace ran out (a reply that took days): the test expired as missed, as it would live
        if (!/answered 409: .*is missed/.test(String(error))) throw error;
        progress(`  a test recorded after its grace was missed (${id})`);
      }
    }
    while (caseContacts.length && caseContacts[0].at <= clock.now()) {
      const due = caseContacts.shift()!;
      await api.call(due.key, 'POST', `/api/v1/outcomes/${due.outcomeId}/case/contacts`, caseContactBody(due));
    }
    stats.missed += count(await run('remindExpire'), 'missed');
    await run('followUp');
    const sent = count(await run('digest'), 'sent');
    stats.digests += sent;
    stats.mails += count(await run('outbox'), 'sent');
    if (sent)
      progress(`  ${t.toFormat('ccc d LLL yyyy HH:mm')} digest sent — ${stats.completed} contacts recorded so far`);
    t = t.plus({ hours: 1 });
  }
  clock.set(until);
  stats.mails += count(await run('outbox'), 'sent');
  stats.requests = api.requests;
  return stats;
}

/** A number out of a job's result (summed when the job reports per campaign). */
function count(result: unknown, field: string): number {
  if (Array.isArray(result)) return result.reduce((sum: number, r) => sum + count(r, field), 0);
  const value = (result as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'number' ? value : 0;
}

async function subscribe(api: ApiClient, state: DemoState): Promise<string> {
  const subscription = await api.call<{ id: string }>(state.keys.quality, 'POST', '/api/v1/digest-subscriptions', {
    name: 'Weekly service reality check',
    recipients: [state.personIds.quality, 'exec-team@northgate.example'],
    cron: '0 9 * * 1',
    timezone: ZONE,
    periodDays: 7,
    minContacts: 3,
  });
  return subscription.id;
}

/** A journey's contact: the drawn one with the journey's fields over it, recorded once it is over. */
function asJourney(
  journey: Journey,
  drawn: DrawnOutcome,
  zone: string,
  window: { start: Date; end: Date },
): DrawnOutcome {
  const body = { ...drawn.body, ...journey.fields };
  const attempted = DateTime.fromISO(body.attemptedAt as string, { zone });
  if (journey.promiseDays) body.promisedFollowUpBy = attempted.plus({ days: journey.promiseDays }).toISODate();
  // a reply that took a day and more is recorded once it came
  const reply = typeof body.secondsToHuman === 'number' ? body.secondsToHuman * 1000 : 0;
  const recordAt = new Date(Math.max(window.end.getTime() + 3600_000, attempted.toMillis() + reply + 1800_000));
  return { body, recordAt };
}

/** A journey's later contact, due at `at` on the replay's clock, recorded by the case's tester. */
interface CaseContactDue {
  outcomeId: string;
  key: string;
  zone: string;
  at: Date;
  contact: JourneyContact;
}

const caseContactAt = (first: Date, c: JourneyContact) => new Date(first.getTime() + c.afterHours * 3600_000);

/** The cases API's body of a later contact: made when it was due, with the promise made on it as a date. */
function caseContactBody(due: CaseContactDue): Record<string, unknown> {
  const attempted = DateTime.fromJSDate(due.at, { zone: due.zone });
  const promise = due.contact.promiseDays;
  return {
    ...due.contact.body,
    attemptedAt: attempted.toISO(),
    ...(promise ? { promisedFollowUpBy: attempted.plus({ days: promise }).toISODate() } : {}),
  };
}

/**
 * The reviews set their figures up front, for the periods beginning on `monday`: the digital stand-up every week,
 * the other meetings every four weeks from their first (the four weeks ahead), and the quality lead the scope-wide
 * figures of the executive meetings' four weeks. Each is judged in the digest after its period ends.
 */
async function postClaims(
  api: ApiClient,
  state: DemoState,
  monday: DateTime,
  now: DateTime,
  draw: Draw,
): Promise<number> {
  const firstMonday = DateTime.fromISO(state.firstMonday, { zone: ZONE });
  const week = Math.round(monday.diff(firstMonday, 'weeks').weeks);
  const periodOf = (weeks: number) => ({
    periodStart: monday.toISODate(),
    periodEnd: monday.plus({ weeks }).minus({ days: 1 }).toISODate(),
  });
  const reportedAt = now.toISO();
  const day = now.toFormat('d LLL');
  let posted = 0;
  for (const t of TOUCHPOINTS) {
    const from = t.reviewFromWeek ?? 0;
    if (t.review === 'four-weekly' && (week < from || (week - from) % 4 !== 0)) continue;
    const period = periodOf(t.review === 'weekly' ? 1 : 4);
    for (const c of t.claims) {
      await api.call(state.keys[t.owner], 'POST', '/api/v1/claims', {
        touchpointId: state.touchpointIds[t.key],
        metric: c.metric,
        ...period,
        value: said(c, draw),
        source: `${t.meeting}, ${day}`,
        reportedAt,
      });
      posted++;
    }
  }
  for (const c of week % 4 === 0 ? SCOPE_CLAIMS : []) {
    await api.call(state.keys.quality, 'POST', '/api/v1/claims', {
      team: c.team,
      metric: c.metric,
      ...periodOf(4),
      value: said(c, draw),
      source: `${c.meeting}, ${day}`,
      reportedAt,
    });
    posted++;
  }
  return posted;
}

/** A figure as a manager says it: near last week's, rounded the way people round. */
function said(c: DemoClaim, draw: Draw): number {
  const v = c.value + (draw.uniform() * 2 - 1) * c.jitter;
  if (c.value <= 1) return Math.min(1, Math.round(v * 100) / 100);
  if (c.value <= 5) return Math.min(5, Math.round(v * 10) / 10);
  return Math.round(v / 10) * 10;
}
