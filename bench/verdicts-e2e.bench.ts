import { performance } from 'node:perf_hooks';

import type { NestExpressApplication } from '@nestjs/platform-express';
import { DateTime } from 'luxon';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { DataSource } from 'typeorm';

import { createApp } from '../src/app.js';
import { BootstrapService } from '../src/bootstrap/bootstrap.service.js';
import { ManualClock } from '../src/common/clock.js';
import { freePort } from '../src/common/free-port.js';
import { createLogger } from '../src/common/logging/logger.js';
import { loadConfig } from '../src/config/app-config.js';
import { logGamma } from '../src/digests/statistics.js';
import { normalCdf } from '../src/digests/verdicts.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { benchDatabase, machine } from './support.js';
import { renderVerdictsE2eTables, type VerdictsE2eSummary } from './verdicts-e2e-tables.js';

/**
 * bench:verdicts-e2e — the digest's verdicts measured through the running service: the application as the API
 * serves it (HTTP on a local port, embedded PostgreSQL, migrations, the organization's settings, the claims API,
 * the digest preview `GET /api/v1/digest-subscriptions/:id/preview`), with outcomes drawn from a known truth
 * and every claim exactly equal to it unless said otherwise. The pure bench (bench:verdicts) calls judgeClaims;
 * this one reads the verdicts the service prints, so the SQL aggregates, the evidence built from them, the
 * claim periods and the family are all in the measurement.
 *
 * A. Familywise: digests of 20 true claims over 20 touchpoints (7 "higher is better" rates, 3 "lower", 4
 *    ratings, 4 medians, 2 p90s; each claim's n drawn from {5, 10, 20, 50, 200} per digest). The first weeks'
 *    contacts are planned tests planned, revealed and completed through the API plus ad-hoc contacts posted
 *    through it; the rest are inserted by SQL as the ad-hoc contacts the organization counts. Share of digests
 *    with ≥ 1 "contradicted", with its standard error, and per claim.
 * B. The issue's power case: the same digests with one claim replaced by an answer rate claimed at 96 % whose
 *    truth is 81 %, n = 60: share contradicted, and the familywise rate over the 19 true claims beside it.
 * C. Per claim at the worst points of the pure bench's grid, exact through the service: every possible sample
 *    (each count, each composition of 5 ratings, each count above a claimed wait) is put in a week of its own,
 *    its claim judged alone by a subscription of its touchpoint, and P(contradicted) is the sum of the samples'
 *    probabilities where the service said "contradicted". The named power case is computed the same way, with
 *    19 claims beside it that are never flagged (Holm's first step, 0.25 %, applies to it).
 *
 * Seeded (xoroshiro128+, pure-rand), so the figures repeat. Prints the tables, then the JSON summary.
 */
const SEED = 20261204;
const DIGESTS_TRUE = Number(process.env.BENCH_E2E_DIGESTS ?? 1500);
const DIGESTS_POWER = Number(process.env.BENCH_E2E_POWER_DIGESTS ?? 500);
const API_WEEKS = Number(process.env.BENCH_E2E_API_WEEKS ?? 4);
const NS = [5, 10, 20, 50, 200];
const TESTERS = 10;
const PLANNED_PER_WEEK = 5;
const FIRST_MONDAY = DateTime.fromISO('2021-01-04T00:00:00Z', { zone: 'UTC' });
const TARGET = { perClaim: 0.025, familywise: 0.05, power: 0.8 };
const FIRST_STEP = 0.05 / 20;

// ——— randomness ———

const rng = xoroshiro128plus(SEED);
const uniform = () => uniformFloat64(rng);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(uniform() * xs.length)];

const LOG_FACTORIAL = Array.from({ length: 1001 }, (_, k) => logGamma(k + 1));
function binomialPmf(k: number, n: number, p: number): number {
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(
    LOG_FACTORIAL[n] - LOG_FACTORIAL[k] - LOG_FACTORIAL[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );
}

// ——— the truth ———

/** How one touchpoint really behaves: the chance of each outcome, its waits (log-normal, whole seconds), ratings. */
interface Truth {
  answer: number;
  resolved: number;
  transfer: number;
  disconnect: number;
  repeat: number;
  waitMedian: number;
  waitSigma: number;
  /** P(1) … P(5) */
  courtesy: number[];
  knowledge: number[];
}

const BASE: Truth = {
  answer: 0.85,
  resolved: 0.7,
  transfer: 0.15,
  disconnect: 0.05,
  repeat: 0.2,
  waitMedian: 45,
  waitSigma: 0.8,
  courtesy: [0.02, 0.03, 0.1, 0.25, 0.6],
  knowledge: [0.05, 0.1, 0.25, 0.35, 0.25],
};

/** One claim slot of a digest: its touchpoint's truth, the metric claimed, and the claimed value. */
interface Slot {
  name: string;
  kind: 'rate' | 'rating' | 'median' | 'p90';
  metric: string;
  truth: Truth;
  claimed: number;
  /** fixed n (the power case); else drawn from NS per digest */
  n?: number;
}

const ratingMean = (p: number[]) => p.reduce((s, x, i) => s + x * (i + 1), 0);

/** The q-quantile of log-normal waits rounded to whole seconds: the smallest c with P(X ≤ c) ≥ q. */
function roundedQuantile(median: number, sigma: number, q: number): number {
  const cdf = (x: number) => (x <= 0 ? 0 : normalCdf((Math.log(x) - Math.log(median)) / sigma));
  for (let c = 0; ; c++) if (cdf(c + 0.5) >= q) return c;
}

function rateSlot(metric: string, key: keyof Truth, value: number, n?: number, truth = value): Slot {
  const better = ['transfer_rate', 'disconnect_rate', 'repeat_story_rate'].includes(metric) ? 'lower' : 'higher';
  return {
    name: `${metric} ${value}${truth === value ? '' : ` (truth ${truth})`}, ${better} is better`,
    kind: 'rate',
    metric,
    truth: { ...BASE, [key]: truth },
    claimed: value,
    n,
  };
}
function ratingSlot(metric: 'courtesy_avg' | 'knowledge_avg', label: string, p: number[]): Slot {
  const key = metric === 'courtesy_avg' ? 'courtesy' : 'knowledge';
  return { name: `${metric}, ${label}`, kind: 'rating', metric, truth: { ...BASE, [key]: p }, claimed: ratingMean(p) };
}
function waitSlot(q: 0.5 | 0.9, median: number, sigma: number): Slot {
  const metric = q === 0.5 ? 'median_seconds_to_human' : 'p90_seconds_to_human';
  const claimed = roundedQuantile(median, sigma, q);
  return {
    name: `${metric} ${claimed} s (log-normal, median ${median} s, σ ${sigma})`,
    kind: q === 0.5 ? 'median' : 'p90',
    metric,
    truth: { ...BASE, waitMedian: median, waitSigma: sigma },
    claimed,
  };
}

/** The realistic digest of the pure bench, as 20 touchpoints each with one true claim. */
const SLOTS: Slot[] = [
  rateSlot('answer_rate', 'answer', 0.5),
  rateSlot('answer_rate', 'answer', 0.8),
  rateSlot('answer_rate', 'answer', 0.9),
  rateSlot('answer_rate', 'answer', 0.96),
  rateSlot('answer_rate', 'answer', 0.992),
  rateSlot('first_contact_resolution', 'resolved', 0.6),
  rateSlot('first_contact_resolution', 'resolved', 0.85),
  rateSlot('transfer_rate', 'transfer', 0.2),
  rateSlot('disconnect_rate', 'disconnect', 0.03),
  rateSlot('repeat_story_rate', 'repeat', 0.01),
  ratingSlot('courtesy_avg', 'skewed high', [0.02, 0.03, 0.1, 0.25, 0.6]),
  ratingSlot('courtesy_avg', 'uniform', [0.2, 0.2, 0.2, 0.2, 0.2]),
  ratingSlot('knowledge_avg', '{4, 5}, P(5) = 0.9', [0, 0, 0, 0.1, 0.9]),
  ratingSlot('knowledge_avg', '{1, 5}, P(5) = 0.584', [0.416, 0, 0, 0, 0.584]),
  waitSlot(0.5, 20, 0.6),
  waitSlot(0.5, 60, 1),
  waitSlot(0.5, 300, 0.3),
  waitSlot(0.5, 3, 1.5),
  waitSlot(0.9, 30, 0.6),
  waitSlot(0.9, 120, 1),
];
/** The issue's named case: claimed 96 %, truth 81 %, 60 contacts; it takes the place of the 96 % slot. */
const FALSE_SLOT = rateSlot('answer_rate', 'answer', 0.96, 60, 0.81);
const FALSE_INDEX = 3;

interface Draw {
  reachedHuman: boolean;
  secondsToHuman: number | null;
  courtesy: number | null;
  knowledge: number | null;
  transfers: number;
  disconnects: number;
  repeatedStory: boolean;
  resolution: 'resolved' | 'unresolved';
  optionsExplained: boolean | null;
}

function drawRating(p: number[]): number {
  const u = uniform();
  let acc = 0;
  for (let v = 1; v < 5; v++) {
    acc += p[v - 1];
    if (u < acc) return v;
  }
  return 5;
}

function drawOutcome(t: Truth): Draw {
  const reached = uniform() < t.answer;
  const resolved = uniform() < t.resolved;
  const wait = Math.min(86_400, Math.round(t.waitMedian * Math.exp(t.waitSigma * gaussian())));
  return {
    reachedHuman: reached,
    secondsToHuman: reached ? wait : null,
    courtesy: reached ? drawRating(t.courtesy) : null,
    knowledge: reached ? drawRating(t.knowledge) : null,
    transfers: uniform() < t.transfer ? 1 : 0,
    disconnects: uniform() < t.disconnect ? 1 : 0,
    repeatedStory: uniform() < t.repeat,
    resolution: resolved ? 'resolved' : 'unresolved',
    optionsExplained: resolved ? null : uniform() < 0.5,
  };
}

/** An outcome for the API: only the fields a tester would fill in. */
function apiBody(d: Draw): Record<string, unknown> {
  return {
    reachedHuman: d.reachedHuman,
    ...(d.reachedHuman ? { secondsToHuman: d.secondsToHuman, courtesy: d.courtesy, knowledge: d.knowledge } : {}),
    transfers: d.transfers,
    disconnects: d.disconnects,
    repeatedStory: d.repeatedStory,
    resolution: d.resolution,
    ...(d.optionsExplained === null ? {} : { optionsExplained: d.optionsExplained }),
  };
}

// ——— the service ———

interface Service {
  app: NestExpressApplication;
  base: string;
  clock: ManualClock;
  dataSource: DataSource;
  requests: number;
}

async function call(s: Service, method: string, url: string, key: string, body?: unknown, csv = false) {
  s.requests++;
  const res = await fetch(`${s.base}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': csv ? 'text/csv' : 'application/json' },
    body: body === undefined ? undefined : csv ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 400)}`);
  return text ? JSON.parse(text) : null;
}

interface Org {
  id: string;
  adminKey: string;
  qualityKey: string;
  testers: Array<{ id: string; key: string }>;
  touchpoints: string[];
}

let orgCount = 0;
/** An organization made as `cli bootstrap` makes one, then set up through the API: people, keys, touchpoints. */
async function organization(s: Service, touchpoints: number): Promise<Org> {
  const created = await s.app
    .get(BootstrapService)
    .bootstrap({ name: `Verdicts e2e ${++orgCount}`, adminEmail: `admin${orgCount}@bench.example`, timezone: 'UTC' });
  const adminKey = created.apiKey.key;
  await call(s, 'PATCH', '/api/v1/organization/settings', adminKey, { countAdHocInVerdicts: true });
  const allWeek = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '00:00', end: '24:00' }));
  const person = async (roles: string[], i: number) => {
    const p = await call(s, 'POST', '/api/v1/people', adminKey, {
      email: `${roles[0]}${i}-${orgCount}@bench.example`,
      name: `${roles[0]} ${i}`,
      roles,
      timezone: 'UTC',
      workingHours: allWeek,
    });
    const k = await call(s, 'POST', `/api/v1/people/${p.id}/api-keys`, adminKey, { label: 'bench' });
    return { id: p.id as string, key: k.key as string };
  };
  const quality = await person(['quality'], 0);
  const testers = [];
  for (let i = 0; i < TESTERS; i++) testers.push(await person(['tester'], i));
  const ids: string[] = [];
  const opening = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '08:00', close: '20:00' }));
  for (let i = 0; i < touchpoints; i++) {
    const tp = await call(s, 'POST', '/api/v1/touchpoints', adminKey, {
      name: `Line ${String(i).padStart(3, '0')}`,
      channel: 'phone',
      contact: `+44 20 7946 ${String(i).padStart(4, '0')}`,
      timezone: 'UTC',
      openingHours: opening,
      team: 'bench',
    });
    ids.push(tp.id);
  }
  return { id: created.organization.id, adminKey, qualityKey: quality.key, testers, touchpoints: ids };
}

const subscription = async (s: Service, org: Org, touchpointIds: string[] = []) =>
  (
    await call(s, 'POST', '/api/v1/digest-subscriptions', org.qualityKey, {
      name: 'Verdicts',
      recipients: ['quality@bench.example'],
      cron: '0 8 * * 1',
      timezone: 'UTC',
      periodDays: 7,
      minContacts: 1,
      ...(touchpointIds.length ? { touchpointIds } : {}),
    })
  ).id as string;

/** Week w: Monday 00:00 UTC, the claims' dates, and a time inside the week for each of n contacts (weekdays). */
function week(w: number) {
  const monday = FIRST_MONDAY.plus({ weeks: w });
  return {
    monday,
    start: monday.toISODate()!,
    end: monday.plus({ days: 6 }).toISODate()!,
    at: (i: number, n: number) => monday.plus({ hours: 8 + Math.floor((i * 5 * 12) / n), minutes: i % 60 }).toJSDate(),
  };
}

/** Outcomes inserted as the ad-hoc contacts the organization counts, in one statement. */
async function insertOutcomes(s: Service, org: Org, rows: Array<{ tp: string; at: Date; d: Draw }>): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: (typeof rows)[number], i: number) => T) => rows.map(f);
  await s.dataSource.query(
    `INSERT INTO outcome (organization_id, assignment_id, tester_id, touchpoint_id, attempted_at, reached_human,
                          seconds_to_human, transfers, disconnects, repeated_story, resolution, options_explained,
                          courtesy, knowledge, answers, editable_until, created_at, updated_at)
     SELECT $1, NULL, u.tester, u.tp, u.at, u.reached, u.wait, u.transfers, u.disconnects, u.repeated, u.resolution,
            u.options, u.courtesy, u.knowledge, '{}', u.at + interval '48 hours', u.at + interval '1 hour',
            u.at + interval '1 hour'
       FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::boolean[], $6::int[], $7::int[], $8::int[],
                   $9::boolean[], $10::text[], $11::boolean[], $12::int[], $13::int[])
            AS u(tester, tp, at, reached, wait, transfers, disconnects, repeated, resolution, options, courtesy,
                 knowledge)`,
    [
      org.id,
      col((_, i) => org.testers[i % org.testers.length].id),
      col((r) => r.tp),
      col((r) => r.at),
      col((r) => r.d.reachedHuman),
      col((r) => r.d.secondsToHuman),
      col((r) => r.d.transfers),
      col((r) => r.d.disconnects),
      col((r) => r.d.repeatedStory),
      col((r) => r.d.resolution),
      col((r) => r.d.optionsExplained),
      col((r) => r.d.courtesy),
      col((r) => r.d.knowledge),
    ],
  );
}

/** Claims of week w through the claims API's CSV import, recorded on the Wednesday; their ids in order. */
async function importClaims(
  s: Service,
  org: Org,
  w: number,
  claims: Array<{ tp: string; metric: string; value: number }>,
): Promise<string[]> {
  const wk = week(w);
  s.clock.set(wk.monday.plus({ days: 2, hours: 12 }).toJSDate());
  const lines = claims.map((c) => `${c.tp},${c.metric},${wk.start},${wk.end},${c.value},Weekly review,${wk.start}`);
  const csv = ['touchpoint,metric,periodStart,periodEnd,value,source,reportedAt', ...lines].join('\n');
  return (await call(s, 'POST', '/api/v1/claims/import', org.qualityKey, csv, true)).ids;
}

interface PreviewRow {
  claimId: string;
  verdict: string;
  n: number;
  pFlattering: number | null;
}
let previewMs = 0;
let previews = 0;
async function preview(
  s: Service,
  org: Org,
  sub: string,
  w: number,
): Promise<{ rows: PreviewRow[]; familySize: number }> {
  const started = performance.now();
  const p = await call(
    s,
    'GET',
    `/api/v1/digest-subscriptions/${sub}/preview?periodStart=${week(w).start}`,
    org.qualityKey,
  );
  previewMs += performance.now() - started;
  previews++;
  return p;
}

// ——— A and B: digests of 20 claims ———

interface DigestTally {
  digests: number;
  withFalseFlag: number;
  falseFlags: number;
  familySizes: number[];
  perSlot: number[];
  perSlotJudged: number[];
  powerHits: number;
  apiDigests: number;
}

/** Draws week w's contacts for every slot (n per slot), through the API or by SQL. */
async function digestWeek(
  s: Service,
  org: Org,
  sub: string,
  w: number,
  slots: Slot[],
  viaApi: boolean,
  planned: Map<string, number>,
): Promise<{ rows: PreviewRow[]; familySize: number; ids: string[] }> {
  const wk = week(w);
  const sizes = slots.map((slot) => slot.n ?? pick(NS));
  if (viaApi) {
    // planned tests of this week first (PLANNED_PER_WEEK per line, already completed through the API), the rest ad hoc
    s.clock.set(wk.monday.plus({ days: 5, hours: 12 }).toJSDate());
    for (const [i, slot] of slots.entries()) {
      const extra = Math.max(0, sizes[i] - (planned.get(org.touchpoints[i]) ?? 0));
      for (let j = 0; j < extra; j++) {
        const tester = org.testers[j % org.testers.length];
        await call(s, 'POST', '/api/v1/outcomes', tester.key, {
          touchpointId: org.touchpoints[i],
          attemptedAt: wk.at(j, extra).toISOString(),
          ...apiBody(drawOutcome(slot.truth)),
        });
      }
    }
  } else {
    const rows = slots.flatMap((slot, i) =>
      Array.from({ length: sizes[i] }, (_, j) => ({
        tp: org.touchpoints[i],
        at: wk.at(j, sizes[i]),
        d: drawOutcome(slot.truth),
      })),
    );
    await insertOutcomes(s, org, rows);
  }
  const ids = await importClaims(
    s,
    org,
    w,
    slots.map((slot, i) => ({ tp: org.touchpoints[i], metric: slot.metric, value: slot.claimed })),
  );
  return { ...(await preview(s, org, sub, w)), ids };
}

/**
 * Plans, reveals and completes the planned tests of the API weeks through the API (a campaign over the 20 lines,
 * PLANNED_PER_WEEK a week each), with outcomes from each line's truth. Returns how many each line got per week.
 */
async function plannedTests(s: Service, org: Org, slots: Slot[], weeks: number): Promise<Array<Map<string, number>>> {
  const jobs = s.app.get(JobsService);
  s.clock.set(FIRST_MONDAY.minus({ days: 3 }).toJSDate());
  const scenario = await call(s, 'POST', '/api/v1/scenarios', org.adminKey, {
    title: 'Ask about a bill',
    brief: 'Ask why the last bill was higher than the one before.',
    channels: ['phone'],
    questions: [],
  });
  const campaign = await call(s, 'POST', '/api/v1/campaigns', org.adminKey, {
    name: 'Verdicts e2e',
    touchpointIds: org.touchpoints,
    testerIds: org.testers.map((t) => t.id),
    contactsPerTouchpointPerWeek: PLANNED_PER_WEEK,
    windowMinutes: 60,
    revealLeadMinutes: 60,
    remindBeforeMinutes: 15,
    graceMinutes: 7 * 24 * 60,
    minSpacingHours: 1,
    testerWeeklyCap: 20,
    rotationDays: 0,
    allowOwnerSelfTest: false,
    startsOn: week(0).start,
    endsOn: week(weeks - 1).end,
  });
  const plan = await call(s, 'POST', `/api/v1/campaigns/${campaign.id}/plan`, org.adminKey, {
    from: week(0).start,
    to: week(weeks - 1).end,
  });
  if (plan.planned !== weeks * org.touchpoints.length * PLANNED_PER_WEEK) {
    throw new Error(`planned ${plan.planned} tests (unfilled: ${JSON.stringify(plan.unfilled).slice(0, 300)})`);
  }
  void scenario;
  const keyOf = new Map(org.testers.map((t) => [t.id, t.key]));
  const slotOf = new Map(org.touchpoints.map((tp, i) => [tp, slots[i]]));
  const perWeek: Array<Map<string, number>> = [];
  for (let w = 0; w < weeks; w++) {
    const wk = week(w);
    for (let h = 0; h < 6 * 24; h++) {
      s.clock.set(wk.monday.plus({ hours: h }).toJSDate());
      await jobs.run('reveal');
    }
    const counts = new Map<string, number>();
    for (let offset = 0; ; offset += 200) {
      const page = await call(
        s,
        'GET',
        `/api/v1/assignments?status=revealed&from=${wk.start}&to=${wk.monday.plus({ days: 7 }).toISODate()}` +
          `&limit=200&offset=${offset}`,
        org.adminKey,
      );
      for (const a of page.items as Array<{
        id: string;
        testerId: string;
        touchpointId: string;
        windowStart: string;
      }>) {
        const d = drawOutcome(slotOf.get(a.touchpointId)!.truth);
        await call(s, 'PUT', `/api/v1/assignments/${a.id}/outcome`, keyOf.get(a.testerId)!, {
          attemptedAt: new Date(Date.parse(a.windowStart) + 10 * 60_000).toISOString(),
          ...apiBody(d),
        });
        counts.set(a.touchpointId, (counts.get(a.touchpointId) ?? 0) + 1);
      }
      if (page.items.length < 200) break;
    }
    perWeek.push(counts);
  }
  return perWeek;
}

async function familywise(s: Service, first: number, digests: number, withFalse: boolean): Promise<DigestTally> {
  const slots = withFalse ? SLOTS.map((x, i) => (i === FALSE_INDEX ? FALSE_SLOT : x)) : SLOTS;
  const org = await organization(s, slots.length);
  const sub = await subscription(s, org);
  const apiWeeks = withFalse ? 0 : Math.min(API_WEEKS, digests);
  const planned = apiWeeks ? await plannedTests(s, org, slots, apiWeeks) : [];
  const tally: DigestTally = {
    digests,
    withFalseFlag: 0,
    falseFlags: 0,
    familySizes: [],
    perSlot: slots.map(() => 0),
    perSlotJudged: slots.map(() => 0),
    powerHits: 0,
    apiDigests: apiWeeks,
  };
  for (let d = 0; d < digests; d++) {
    const viaApi = d < apiWeeks;
    const p = await digestWeek(s, org, sub, first + d, slots, viaApi, viaApi ? planned[d] : new Map());
    // the API weeks are the campaign's weeks 0…apiWeeks − 1: their digests are weeks first + d = d
    const verdicts = p.ids.map((id) => p.rows.find((r) => r.claimId === id)?.verdict ?? 'missing');
    if (verdicts.includes('missing')) throw new Error(`week ${first + d}: a claim is missing from the digest`);
    let flags = 0;
    verdicts.forEach((v, i) => {
      const judged = ['contradicted', 'better_than_claimed', 'consistent', 'inconclusive'].includes(v);
      if (judged) tally.perSlotJudged[i]++;
      if (v !== 'contradicted') return;
      if (withFalse && i === FALSE_INDEX) tally.powerHits++;
      else {
        flags++;
        tally.perSlot[i]++;
      }
    });
    tally.familySizes.push(p.familySize);
    tally.falseFlags += flags;
    if (flags) tally.withFalseFlag++;
  }
  return tally;
}

// ——— C. exact through the service: every sample of a claim at a worst point ———

interface ExactCase {
  name: string;
  metric: string;
  claimed: number;
  /** every possible sample, with its probability under the truth and the outcomes that realise it */
  samples: Array<{ probability: number; draws: Draw[] }>;
  /** 19 quiet claims beside it (the power case); else judged alone */
  among20?: boolean;
}

const answered = (reached: boolean, wait = 30, courtesy = 4): Draw => ({
  reachedHuman: reached,
  secondsToHuman: reached ? wait : null,
  courtesy: reached ? courtesy : null,
  knowledge: reached ? 4 : null,
  transfers: 0,
  disconnects: 0,
  repeatedStory: false,
  resolution: 'resolved',
  optionsExplained: null,
});

/** Rate claims: one sample per count of successes (answered, or with a transfer / a drop for "lower is better"). */
function rateCase(metric: string, n: number, claimed: number, truth = claimed, among20 = false): ExactCase {
  return {
    name: `${metric} claimed ${claimed}${truth === claimed ? '' : `, truth ${truth}`}, n = ${n}`,
    metric,
    claimed,
    among20,
    samples: Array.from({ length: n + 1 }, (_, k) => ({
      probability: binomialPmf(k, n, truth),
      draws: Array.from({ length: n }, (_, i) => {
        const hit = i < k;
        if (metric === 'answer_rate') return answered(hit);
        if (metric === 'transfer_rate') return { ...answered(true), transfers: hit ? 1 : 0 };
        if (metric === 'disconnect_rate') return { ...answered(true), disconnects: hit ? 1 : 0 };
        throw new Error(metric);
      }),
    })),
  };
}

/** Every composition of n ratings over the distribution's support, with its multinomial probability. */
function ratingCase(label: string, n: number, p: number[]): ExactCase {
  const support = p.flatMap((x, i) => (x > 0 ? [i + 1] : []));
  const samples: ExactCase['samples'] = [];
  const counts = new Array<number>(support.length).fill(0);
  const walk = (i: number, left: number) => {
    if (i === support.length - 1) {
      counts[i] = left;
      let logP = LOG_FACTORIAL[n];
      counts.forEach((c, j) => (logP += c * Math.log(p[support[j] - 1]) - LOG_FACTORIAL[c]));
      const draws = counts.flatMap((c, j) => Array.from({ length: c }, () => answered(true, 30, support[j])));
      samples.push({ probability: Math.exp(logP), draws });
      return;
    }
    for (let c = 0; c <= left; c++) {
      counts[i] = c;
      walk(i + 1, left - c);
    }
  };
  walk(0, n);
  return {
    name: `courtesy_avg ${label}, claimed ${ratingMean(p).toFixed(3)}, n = ${n}`,
    metric: 'courtesy_avg',
    claimed: ratingMean(p),
    samples,
  };
}

/** Waits with no ties (continuous): one sample per count above the claim, P = Bin(n, 1 − q). */
function waitCase(metric: string, q: number, n: number): ExactCase {
  const claimed = 100;
  return {
    name: `${metric} claimed 100 s, continuous waits (no ties), n = ${n}`,
    metric,
    claimed,
    samples: Array.from({ length: n + 1 }, (_, above) => ({
      probability: binomialPmf(above, n, 1 - q),
      draws: Array.from({ length: n }, (_, i) => answered(true, i < above ? 101 + i : 99 - i)),
    })),
  };
}

interface ExactResult {
  name: string;
  samples: number;
  contradicted: number;
  firstStep: number | null;
}

async function exactCase(
  s: Service,
  org: Org,
  tp: string,
  first: number,
  c: ExactCase,
  quiet: string[],
): Promise<ExactResult> {
  const sub = await subscription(s, org, c.among20 ? [] : [tp]);
  let contradicted = 0;
  let firstStep = 0;
  for (const [j, sample] of c.samples.entries()) {
    const w = first + j;
    const wk = week(w);
    const n = sample.draws.length;
    const rows = sample.draws.map((d, i) => ({ tp, at: wk.at(i, n), d }));
    // the quiet lines: 5 answered calls each against a claim of 50 % (p = 1: never flagged)
    for (const q of quiet) for (let i = 0; i < 5; i++) rows.push({ tp: q, at: wk.at(i, 5), d: answered(true) });
    await insertOutcomes(s, org, rows);
    const claims = [
      { tp, metric: c.metric, value: c.claimed },
      ...quiet.map((q) => ({ tp: q, metric: 'answer_rate', value: 0.5 })),
    ];
    const [id] = await importClaims(s, org, w, claims);
    const p = await preview(s, org, sub, w);
    const row = p.rows.find((r) => r.claimId === id);
    if (!row) throw new Error(`${c.name}: the claim is missing from the digest of week ${w}`);
    if (row.n !== n) throw new Error(`${c.name}: the digest counted ${row.n} contacts, not ${n}`);
    if (row.verdict === 'contradicted') contradicted += sample.probability;
    if (row.pFlattering !== null && row.pFlattering <= FIRST_STEP) firstStep += sample.probability;
  }
  return { name: c.name, samples: c.samples.length, contradicted, firstStep: c.among20 ? null : firstStep };
}

// ——— main ———

const se = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

async function main(): Promise<void> {
  const started = performance.now();
  const db = await benchDatabase();
  const port = await freePort();
  const clock = new ManualClock(FIRST_MONDAY.minus({ days: 7 }).toJSDate());
  const config = loadConfig({ DATABASE_URL: db.url, ENABLE_JOBS: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'production' });
  const app = await createApp(config, { clock, logger: createLogger('warn') });
  await app.listen(port, '127.0.0.1');
  const s: Service = { app, base: `http://127.0.0.1:${port}`, clock, dataSource: db.dataSource, requests: 0 };
  try {
    let w = 0;
    const stamp = (label: string) =>
      process.stderr.write(
        `${label}: ${((performance.now() - started) / 1000).toFixed(0)} s, ${s.requests} requests\n`,
      );
    const allTrue = await familywise(s, w, DIGESTS_TRUE, false);
    w += DIGESTS_TRUE;
    stamp('A done');
    const power = await familywise(s, w, DIGESTS_POWER, true);
    w += DIGESTS_POWER;
    stamp('B done');

    // C: one organization, one line per case, each sample in a week of its own
    const twoPoint = [0.416, 0, 0, 0, 0.584];
    const cases: ExactCase[] = [
      rateCase('answer_rate', 5, 0.995),
      rateCase('answer_rate', 20, 0.992),
      rateCase('transfer_rate', 10, 0.69),
      rateCase('disconnect_rate', 50, 0.0005),
      rateCase('answer_rate', 200, 0.3),
      ratingCase('{1, 5}, P(5) = 0.584', 5, twoPoint),
      ratingCase('{1, 5}, P(5) = 0.355', 10, [0.645, 0, 0, 0, 0.355]),
      ratingCase('skewed high', 5, [0.02, 0.03, 0.1, 0.25, 0.6]),
      ratingCase('all 4', 5, [0, 0, 0, 1, 0]),
      ratingCase('all 5', 20, [0, 0, 0, 0, 1]),
      ratingCase('all 1', 20, [1, 0, 0, 0, 0]),
      waitCase('median_seconds_to_human', 0.5, 20),
      waitCase('p90_seconds_to_human', 0.9, 50),
    ];
    const named = rateCase('answer_rate', 60, 0.96, 0.81, true);
    const exactOrg = await organization(s, cases.length + 20);
    const exact: ExactResult[] = [];
    for (const [i, c] of cases.entries()) {
      exact.push(await exactCase(s, exactOrg, exactOrg.touchpoints[i], w, c, []));
      w += c.samples.length;
    }
    const quiet = exactOrg.touchpoints.slice(cases.length + 1);
    const namedResult = await exactCase(s, exactOrg, exactOrg.touchpoints[cases.length], w, named, quiet);
    w += named.samples.length;
    stamp('C done');

    const [{ outcomes }] = await db.dataSource.query('SELECT count(*)::int AS outcomes FROM outcome');
    const summary: VerdictsE2eSummary = {
      benchmark: 'verdicts-e2e',
      seed: SEED,
      machine: machine(),
      postgres: db.serverVersion,
      seconds: Math.round((performance.now() - started) / 1000),
      requests: s.requests,
      outcomes,
      weeks: w,
      previewMsMean: Number((previewMs / previews).toFixed(1)),
      previews,
      target: TARGET,
      allTrue: {
        digests: allTrue.digests,
        apiDigests: allTrue.apiDigests,
        plannedPerLinePerApiWeek: PLANNED_PER_WEEK,
        share: allTrue.withFalseFlag / allTrue.digests,
        se: se(allTrue.withFalseFlag / allTrue.digests, allTrue.digests),
        flagsPerDigest: allTrue.falseFlags / allTrue.digests,
        familyMean: allTrue.familySizes.reduce((a, b) => a + b, 0) / allTrue.digests,
        familyMin: Math.min(...allTrue.familySizes),
        perSlot: SLOTS.map((slot, i) => ({
          name: slot.name,
          contradicted: allTrue.perSlot[i],
          judged: allTrue.perSlotJudged[i],
        })),
      },
      power: {
        digests: power.digests,
        share: power.powerHits / power.digests,
        se: se(power.powerHits / power.digests, power.digests),
        trueFlagShare: power.withFalseFlag / power.digests,
        trueFlagSe: se(power.withFalseFlag / power.digests, power.digests),
        exact: namedResult.contradicted,
      },
      exact,
    };
    process.stdout.write(`${renderVerdictsE2eTables(summary)}\n`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await app.close();
    await db.close();
  }
}

void main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
