import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

import { DigestRun } from './digest-run.entity.js';

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
