import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AssignmentStatus } from '../assignments/assignment.entity.js';
import { missedFrom } from '../assignments/assignment-lifecycle.js';
import type { CancelReason } from '../assignments/withdrawal-reasons.js';
import { Clock } from '../common/clock.js';
import { hashSecret, isSecret } from '../common/secrets.js';
import type { FormContext } from './outcome-form.js';

export interface ResolvedLink {
  assignmentId: string;
  organizationId: string;
  testerId: string;
  status: AssignmentStatus;
  cancelReason: CancelReason | null;
  /** With nothing recorded by then, the test is missed (window end + the campaign's grace). */
  missedAt: Date;
  form: FormContext;
}

/** Turns a tester link's secret into its one assignment — and nothing else. */
@Injectable()
export class TesterLinkService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async resolve(token: string): Promise<{ state: 'unknown' } | { state: 'expired' } | { state: 'ok'; link: ResolvedLink }> {
    if (!isSecret(token)) return { state: 'unknown' };
    const [row] = await this.dataSource.query(
      `SELECT k.expires_at, a.id, a.organization_id, a.tester_id, a.status, a.cancel_reason,
              a.window_start, a.window_end, c.grace_minutes,
              p.name AS tester_name, p.timezone, t.name AS tp_name, t.channel, t.contact, s.title, s.brief, s.questions
         FROM access_token k
         JOIN assignment a ON a.id = k.assignment_id
         JOIN campaign c ON c.id = a.campaign_id
         JOIN person p ON p.id = a.tester_id
         JOIN touchpoint t ON t.id = a.touchpoint_id
         LEFT JOIN scenario s ON s.id = a.scenario_id
        WHERE k.hash = $1 AND k.purpose = 'outcome'`,
      [hashSecret(token)],
    );
    if (!row) return { state: 'unknown' };
    if (this.clock.now() >= row.expires_at) return { state: 'expired' };
    return {
      state: 'ok',
      link: {
        assignmentId: row.id,
        organizationId: row.organization_id,
        testerId: row.tester_id,
        status: row.status,
        cancelReason: row.cancel_reason,
        missedAt: missedFrom(row.window_end, row.grace_minutes),
        form: {
          touchpoint: { name: row.tp_name, channel: row.channel, contact: row.contact },
          scenario: row.title ? { title: row.title, brief: row.brief, questions: row.questions ?? [] } : null,
          window: { start: row.window_start, end: row.window_end },
          zone: row.timezone,
          testerName: row.tester_name,
        },
      },
    };
  }
}
