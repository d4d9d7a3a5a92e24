import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface CalendarFilter {
  organizationId: string;
  from: Date;
  to: Date;
  campaignId?: string;
  team?: string;
  channel?: string;
}

export interface CalendarSlot {
  assignmentId: string;
  status: string;
  windowStart: Date;
  windowEnd: Date;
  revealAt: Date;
  touchpointId: string;
  touchpoint: string;
  channel: string;
  team: string | null;
  timezone: string;
  testerId: string;
  tester: string;
  campaignId: string;
  campaign: string;
  scenario: string | null;
}

export interface CalendarUnfilled {
  campaignId: string;
  campaign: string;
  touchpointId: string;
  touchpoint: string;
  weekStart: string;
  slot: number;
  reason: string;
}

/** The scope shared by both reads: the organization, then campaign, team and channel when asked ($2–$4). */
const SCOPE = `($2::uuid IS NULL OR c.id = $2) AND ($3::text IS NULL OR t.team = $3)
  AND ($4::text IS NULL OR t.channel = $4)`;

/**
 * The plan calendar's reads: every test still to happen (planned or revealed) and every slot left unfilled in the
 * weeks ahead. Admin and quality only (the service's rule): these are the secrets the owners' pages keep.
 */
@Injectable()
export class PlanCalendarRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async slots(
    f: CalendarFilter,
    page: { limit: number; offset: number },
  ): Promise<{ items: CalendarSlot[]; total: number }> {
    const params = [f.organizationId, f.campaignId ?? null, f.team ?? null, f.channel ?? null, f.from, f.to];
    const from = `FROM assignment a JOIN touchpoint t ON t.id = a.touchpoint_id JOIN campaign c ON c.id = a.campaign_id
       JOIN person p ON p.id = a.tester_id LEFT JOIN scenario s ON s.id = a.scenario_id
      WHERE a.organization_id = $1 AND a.status IN ('planned', 'revealed') AND a.window_end > $5 AND a.window_start < $6
        AND ${SCOPE}`;
    const [{ total }]: Array<{ total: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS total ${from}`,
      params,
    );
    const items: CalendarSlot[] = await this.dataSource.query(
      `SELECT a.id AS "assignmentId", a.status, a.window_start AS "windowStart", a.window_end AS "windowEnd",
              a.reveal_at AS "revealAt", t.id AS "touchpointId", t.name AS touchpoint, t.channel, t.team,
              t.timezone, p.id AS "testerId", p.name AS tester, c.id AS "campaignId", c.name AS campaign,
              s.title AS scenario
         ${from}
        ORDER BY a.window_start, t.name, a.id LIMIT $7 OFFSET $8`,
      [...params, page.limit, page.offset],
    );
    return { items, total };
  }

  /** Slots nobody could take, in weeks that end after `from` and start before `to`, by week and touchpoint. */
  async unfilled(f: CalendarFilter): Promise<CalendarUnfilled[]> {
    return this.dataSource.query(
      `SELECT c.id AS "campaignId", c.name AS campaign, t.id AS "touchpointId", t.name AS touchpoint,
              u.week_start::text AS "weekStart", u.slot, u.reason
         FROM unfilled_slot u JOIN touchpoint t ON t.id = u.touchpoint_id JOIN campaign c ON c.id = u.campaign_id
        WHERE u.organization_id = $1 AND ${SCOPE}
          AND u.week_start + 7 > $5::timestamptz::date AND u.week_start < $6::timestamptz::date
        ORDER BY u.week_start, t.name, u.slot
        LIMIT 500`,
      [f.organizationId, f.campaignId ?? null, f.team ?? null, f.channel ?? null, f.from, f.to],
    );
  }
}
