import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

import type { DigestRow } from './digest-builder.service.js';
import { DigestRun } from './digest-run.entity.js';

/**
 * Each row of a run's payload again, on its own: the drill-down from one row reads that row, where reading it out
 * of the payload made PostgreSQL decompress the whole digest (megabytes for an organization's) on every request.
 * Written with the run, never changed, gone with it.
 */
@Entity('digest_run_row')
@ForeignKey(() => DigestRun, ['runId'], ['id'], { name: 'digest_run_row_run_fkey', onDelete: 'CASCADE' })
export class DigestRunRow {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' }) runId: string;
  /** Its place in payload.rows, from 0 (the drill-down's link). */
  @PrimaryColumn('integer') ordinal: number;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ type: 'jsonb' }) row: DigestRow;
}
