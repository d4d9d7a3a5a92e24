import type { EntityManager } from 'typeorm';
import type { AssignmentMailContext } from './assignment-mails.js';

export type MailContextRow = AssignmentMailContext & { graceMinutes: number };

/** What the tester-facing mails need about each assignment (tester, touchpoint, scenario, window). */
export async function loadMailContexts(manager: EntityManager, ids: string[]): Promise<MailContextRow[]> {
  if (ids.length === 0) return [];
  const rows = await manager.query(
    `SELECT a.id, a.organization_id, a.window_start, a.window_end, c.grace_minutes,
            p.name AS p_name, p.email AS p_email, p.timezone AS p_timezone,
            t.name AS t_name, t.channel AS t_channel, t.contact AS t_contact, s.title AS s_title, s.brief AS s_brief
       FROM assignment a
       JOIN campaign c ON c.id = a.campaign_id
       JOIN person p ON p.id = a.tester_id
       JOIN touchpoint t ON t.id = a.touchpoint_id
       LEFT JOIN scenario s ON s.id = a.scenario_id
      WHERE a.id = ANY($1::uuid[]) ORDER BY a.reveal_at, a.id`,
    [ids],
  );
  return rows.map((r: Record<string, never>) => ({
    assignmentId: r.id,
    organizationId: r.organization_id,
    graceMinutes: r.grace_minutes,
    tester: { name: r.p_name, email: r.p_email, timezone: r.p_timezone },
    touchpoint: { name: r.t_name, channel: r.t_channel, contact: r.t_contact },
    scenario: r.s_title ? { title: r.s_title, brief: r.s_brief } : null,
    windowStart: r.window_start,
    windowEnd: r.window_end,
  }));
}
