import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { WEEK_OUTSIDE_WITHOUT_HISTORY } from '../assignments/assignments.repository.js';
import { selectsTouchpoint } from '../assignments/withdrawal-reasons.js';
import type { Page } from '../common/pagination.js';
import { organizationRows, pageOf, whereContains } from '../database/sql.js';
import type { ScopedTouchpoint } from './allocation.js';
import { Campaign, CampaignWeek } from './campaign.entity.js';
import type { PlannerScenario } from './planner/planner.js';
import type { PlannerInputsJson } from './planner-inputs.js';

/** The touchpoints a campaign selects: by id, or by team and channels. */
export interface Selection {
  organizationId: string;
  touchpointIds: string[];
  team: string | null;
  channels: string[];
}

/** The touchpoints (alias t) of a selection ($1 organization, $2 ids, $3 team, $4 channels). */
const SELECTED = `t.organization_id = $1 AND (${selectsTouchpoint('$2::uuid[]', '$3::text', '$4::text[]')})`;

const selectionParams = (s: Selection) => [s.organizationId, s.touchpointIds, s.team, s.channels];

const TOUCHPOINTS_JSON = `SELECT coalesce(json_agg(json_build_object('id', t.id, 'channel', t.channel,
    'timezone', t.timezone,
    'openingHours', t.opening_hours, 'closures', t.closures, 'ownerId', t.owner_id) ORDER BY t.id), '[]')::text AS json
  FROM touchpoint t WHERE ${SELECTED} AND ($5::uuid[] IS NULL OR t.id = ANY($5::uuid[]))`;

/** The pool, less anyone who no longer holds the tester role. */
const TESTERS_JSON = `SELECT coalesce(json_agg(json_build_object('id', p.id, 'timezone', p.timezone,
    'workingHours', p.working_hours,
    'leave', p.leave) ORDER BY p.id), '[]')::text AS json
  FROM person p WHERE p.organization_id = $1 AND p.id = ANY($2::uuid[]) AND 'tester' = ANY(p.roles)`;

/** The organization's live assignments with windows starting in [$2, $3): what caps, spacing and rotation see. */
const EXISTING_JSON = `SELECT coalesce(json_agg(json_build_object('campaignId', a.campaign_id, 'testerId', a.tester_id,
    'touchpointId', a.touchpoint_id, 'scenarioId', a.scenario_id, 'weekStart', a.week_start::text,
    'windowStart', (extract(epoch FROM a.window_start) * 1000)::bigint,
    'windowEnd', (extract(epoch FROM a.window_end) * 1000)::bigint)), '[]')::text AS json
  FROM assignment a
 WHERE a.organization_id = $1 AND a.window_start >= $2 AND a.window_start < $3
   AND a.status NOT IN ('declined', 'cancelled')`;

/** What a campaign refers to, by kind: the table, and what else a row must be. */
const REFERENCES = {
  touchpoint: { table: 'touchpoint', extra: '' },
  tester: { table: 'person', extra: `AND 'tester' = ANY(roles)` },
  scenario: { table: 'scenario', extra: '' },
} as const;

/** Every query on campaign and campaign_week, and the planner's input loader (for a plan and a re-fill). */
@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A page of the organization's campaigns, newest first (optionally by name), and how many match. */
  list(
    organizationId: string,
    q: string | undefined,
    page: { limit: number; offset: number },
  ): Promise<Page<Campaign>> {
    const qb = organizationRows(this.dataSource, Campaign, 'c', organizationId);
    whereContains(qb, ['c.name'], q);
    return pageOf(qb, 'c.created_at', 'DESC', page);
  }

  find(organizationId: string, id: string): Promise<Campaign | null> {
    return this.dataSource.getRepository(Campaign).findOne({ where: { id, organizationId } });
  }

  /** The campaign, locked against concurrent edits and plans (of the organization, when given). */
  lock(manager: EntityManager, id: string, organizationId?: string): Promise<Campaign | null> {
    const where = organizationId ? { id, organizationId } : { id };
    return manager.findOne(Campaign, { where, lock: { mode: 'pessimistic_write' } });
  }

  /** A campaign that must exist (its assignments refer to it). */
  get(manager: EntityManager, id: string): Promise<Campaign> {
    return manager.findOneByOrFail(Campaign, { id });
  }

  create(manager: EntityManager, fields: Partial<Campaign>): Promise<Campaign> {
    return manager.save(manager.create(Campaign, fields));
  }

  save(manager: EntityManager, campaign: Campaign): Promise<Campaign> {
    return manager.save(campaign);
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(Campaign, { id });
  }

  /** Campaigns not ended before `today`, oldest first. */
  async runningOn(today: string): Promise<Array<{ id: string; organizationId: string }>> {
    const rows: Array<{ id: string; organization_id: string }> = await this.dataSource.query(
      `SELECT id, organization_id FROM campaign WHERE ends_on IS NULL OR ends_on >= $1::date ORDER BY created_at, id`,
      [today],
    );
    return rows.map((r) => ({ id: r.id, organizationId: r.organization_id }));
  }

  /** The ids that are not rows of this kind in the organization (for a tester: that lack the role). */
  async missing(
    manager: EntityManager,
    organizationId: string,
    kind: keyof typeof REFERENCES,
    ids: string[],
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const { table, extra } = REFERENCES[kind];
    const found: Array<{ id: string }> = await manager.query(
      `SELECT id FROM ${table} WHERE organization_id = $1 AND id = ANY($2::uuid[]) ${extra}`,
      [organizationId, ids],
    );
    const ok = new Set(found.map((r) => r.id));
    return ids.filter((id) => !ok.has(id));
  }

  /** How many touchpoints the selection takes now. */
  async countSelected(manager: EntityManager, selection: Selection): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await manager.query(
      `SELECT count(*)::int AS n FROM touchpoint t WHERE ${SELECTED}`,
      selectionParams(selection),
    );
    return n;
  }

  /** The ids of the touchpoints the selection takes now. */
  async selectedIds(manager: EntityManager, selection: Selection): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT t.id FROM touchpoint t WHERE ${SELECTED} ORDER BY t.id`,
      selectionParams(selection),
    );
    return rows.map((r) => r.id);
  }

  /** The touchpoints the selection takes now, with what a team or organization claim's scope reads of them. */
  async selectedScopes(manager: EntityManager, selection: Selection): Promise<ScopedTouchpoint[]> {
    return manager.query(
      `SELECT t.id, t.team, t.channel FROM touchpoint t WHERE ${SELECTED} ORDER BY t.id`,
      selectionParams(selection),
    );
  }

  /** Which of these weeks of the campaign are already planned. */
  async plannedWeeks(manager: EntityManager, campaignId: string, weeks: string[]): Promise<Set<string>> {
    const rows: Array<{ w: string }> = await manager.query(
      'SELECT week_start::text AS w FROM campaign_week WHERE campaign_id = $1 AND week_start = ANY($2::date[])',
      [campaignId, weeks],
    );
    return new Set(rows.map((r) => r.w));
  }

  /** Marks a week planned: planning it again adds nothing. */
  async markPlanned(manager: EntityManager, campaign: Campaign, weekStart: string, now: Date): Promise<void> {
    await manager.insert(CampaignWeek, {
      campaignId: campaign.id,
      weekStart,
      organizationId: campaign.organizationId,
      plannedAt: now,
    });
  }

  /** Forgets that these weeks were planned (they are planned again). */
  async deleteWeeks(manager: EntityManager, campaignId: string, weeks: string[]): Promise<void> {
    await manager.query('DELETE FROM campaign_week WHERE campaign_id = $1 AND week_start = ANY($2::date[])', [
      campaignId,
      weeks,
    ]);
  }

  /** Forgets planned weeks now outside the campaign's dates and without history (dates moved back plan them afresh). */
  async deleteWeeksOutside(manager: EntityManager, campaign: Campaign): Promise<void> {
    await manager.query(`DELETE FROM campaign_week w WHERE ${WEEK_OUTSIDE_WITHOUT_HISTORY}`, [
      campaign.id,
      campaign.startsOn,
      campaign.endsOn,
    ]);
  }

  /**
   * What the planner reads for a campaign: its selected touchpoints (only `touchpointIds` of them, when
   * given), its pool of testers, its scenarios, and the organization's live bookings with windows
   * starting in [bookings.from, bookings.to). One loader for a plan and for a re-fill.
   */
  async plannerInputs(
    manager: EntityManager,
    campaign: Campaign,
    bookings: { from: Date; to: Date },
    touchpointIds: string[] | null = null,
  ): Promise<PlannerInputsJson> {
    // One connection (the transaction's): these run one after the other.
    const json = async (sql: string, params: unknown[]) =>
      (await manager.query<Array<{ json: string }>>(sql, params))[0].json;
    return {
      touchpointsJson: await json(TOUCHPOINTS_JSON, [...selectionParams(campaign), touchpointIds]),
      testersJson: await json(TESTERS_JSON, [campaign.organizationId, campaign.testerIds]),
      scenarios: await this.scenariosOf(manager, campaign),
      existingJson: await json(EXISTING_JSON, [campaign.organizationId, bookings.from, bookings.to]),
    };
  }

  private async scenariosOf(manager: EntityManager, c: Campaign): Promise<PlannerScenario[]> {
    const rows: Array<{ id: string; channels: string[] }> = await manager.query(
      `SELECT id, channels FROM scenario
        WHERE organization_id = $1 AND (cardinality($2::uuid[]) = 0 OR id = ANY($2::uuid[])) ORDER BY id`,
      [c.organizationId, c.scenarioIds],
    );
    return rows.map((r) => ({ id: r.id, channels: r.channels }));
  }
}
