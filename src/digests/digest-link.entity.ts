import { Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Person } from '../people/person.entity.js';
import { DigestRun } from './digest-run.entity.js';

/**
 * One recipient's web link to one digest run: the secret is stored hashed (the link carries it), it
 * opens the page until `expiresAt`, and quality or an admin can revoke it (who, when and why are kept).
 */
@Entity('digest_link')
@Unique('digest_link_hash_key', ['hash'])
@Index('digest_link_run_idx', ['runId'])
@ForeignKey(() => DigestRun, ['runId'], ['id'], { name: 'digest_link_run_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['issuedBy'], ['id'], { name: 'digest_link_issued_by_fkey', onDelete: 'SET NULL' })
@ForeignKey(() => Person, ['revokedBy'], ['id'], { name: 'digest_link_revoked_by_fkey', onDelete: 'SET NULL' })
export class DigestLink {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'run_id', type: 'uuid' }) runId: string;
  /** The address it was mailed to (lower case); null: the one link of a run sent before links were per recipient. */
  @Column({ type: 'text', nullable: true }) recipient: string | null;
  @Column({ type: 'text', select: false }) hash: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** Null when the digest job sent it; else who re-issued it. */
  @Column({ name: 'issued_by', type: 'uuid', nullable: true }) issuedBy: string | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'revoked_by', type: 'uuid', nullable: true }) revokedBy: string | null;
  @Column({ name: 'revoke_reason', type: 'text', nullable: true }) revokeReason: string | null;
}

/**
 * A run's web page as rendered once (HTML, gzipped, and the chart PNG), shared by every instance.
 * `version` is the DIGEST_PAGE_VERSION it was rendered with: another version is rendered again.
 */
@Entity('digest_rendering')
@ForeignKey(() => DigestRun, ['runId'], ['id'], { name: 'digest_rendering_run_fkey', onDelete: 'CASCADE' })
export class DigestRendering {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' }) runId: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column('integer') version: number;
  /** Strong validators of the HTML and of the chart (quoted, as sent in the ETag header). */
  @Column('text') etag: string;
  @Column({ name: 'chart_etag', type: 'text' }) chartEtag: string;
  @Column({ name: 'html_gzip', type: 'bytea', select: false }) htmlGzip: Buffer;
  @Column({ type: 'bytea', select: false }) chart: Buffer;
  @Column({ name: 'rendered_at', type: 'timestamptz' }) renderedAt: Date;
}
