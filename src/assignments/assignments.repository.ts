import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ScenarioQuestion } from '../scenarios/scenario.entity.js';
import type { AssignmentStatus } from './assignment.entity.js';
import type { CancelReason } from './withdrawal-reasons.js';

/** One assignment as its tester's form shows it: the test, where and what, and whose it is. */
export interface TesterFormRow {
  assignmentId: string;
  organizationId: string;
  testerId: string;
  testerName: string;
  /** The tester's zone: the form speaks their time. */
  zone: string;
  status: AssignmentStatus;
  cancelReason: CancelReason | null;
  window: { start: Date; end: Date };
  touchpoint: { name: string; channel: string; contact: string };
  scenario: { title: string; brief: string; questions: ScenarioQuestion[] } | null;
}

/** Every query on assignment and unfilled_slot, each answering typed rows. */
@Injectable()
export class AssignmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** What a tester link's form needs of its assignment. */
  async testerForm(assignmentId: string, manager = this.dataSource.manager): Promise<TesterFormRow | null> {
    const rows: Array<Record<string, never>> = await manager.query(
      `SELECT a.id, a.organization_id, a.tester_id, a.status, a.cancel_reason, a.window_start, a.window_end,
              p.name AS tester_name, p.timezone, t.name AS tp_name, t.channel, t.contact, s.title, s.brief, s.questions
         FROM assignment a
         JOIN person p ON p.id = a.tester_id
         JOIN touchpoint t ON t.id = a.touchpoint_id
         LEFT JOIN scenario s ON s.id = a.scenario_id
        WHERE a.id = $1`,
      [assignmentId],
    );
    const [r] = rows;
    if (!r) return null;
    return {
      assignmentId: r.id,
      organizationId: r.organization_id,
      testerId: r.tester_id,
      testerName: r.tester_name,
      zone: r.timezone,
      status: r.status,
      cancelReason: r.cancel_reason,
      window: { start: r.window_start, end: r.window_end },
      touchpoint: { name: r.tp_name, channel: r.channel, contact: r.contact },
      scenario: r.title ? { title: r.title, brief: r.brief, questions: r.questions ?? [] } : null,
    };
  }
}
