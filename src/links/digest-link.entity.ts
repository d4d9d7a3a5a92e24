import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One recipient's web link to one digest run: the secret is stored hashed (the link carries it), it
 * opens the page until `expiresAt`, and quality or an admin can revoke it (who, when and why are kept).
 */
@Entity('digest_link')
@Unique('digest_link_hash_key', ['hash'])
@Index('digest_link_run_idx', ['runId'])
@ForeignKey('digest_run', ['runId'], ['id'], { name: 'digest_link_run_fkey', onDelete: 'CASCADE' })
@ForeignKey('person', ['issuedBy'], ['id'], { name: 'digest_link_issued_by_fkey', onDelete: 'SET NULL' })
@ForeignKey('person', ['revokedBy'], ['id'], { name: 'digest_link_revoked_by_fkey', onDelete: 'SET NULL' })
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
