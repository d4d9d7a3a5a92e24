import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A row a job could not process: it is skipped until `retryAt` (backing off), while every other row goes on. */
@Entity('job_failure')
// the cleanup job drops records of rows that have not failed for a long time (fixed or gone)
@Index('job_failure_last_failed_idx', ['lastFailedAt'])
export class JobFailure {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'job_failure_pkey' })
  job: string;

  /** The id of the row in the job's own table (an assignment, an outcome, a subscription, a campaign). */
  @PrimaryColumn({ name: 'row_id', type: 'uuid', primaryKeyConstraintName: 'job_failure_pkey' })
  rowId: string;

  @Column('integer')
  failures: number;

  @Column({ name: 'first_failed_at', type: 'timestamptz' })
  firstFailedAt: Date;

  @Column({ name: 'last_failed_at', type: 'timestamptz' })
  lastFailedAt: Date;

  @Column({ name: 'retry_at', type: 'timestamptz' })
  retryAt: Date;

  @Column({ name: 'last_error', type: 'text' })
  lastError: string;
}
