import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A single-purpose secret of a link in a tester's mail (stored hashed; the link carries the secret):
 * a tester link opens one assignment's form, a follow-up link one outcome's question. Its targets are
 * named by table, so links depend on no feature.
 */
@Entity('access_token')
@Unique('access_token_hash_key', ['hash'])
@Index('access_token_assignment_idx', ['assignmentId'])
@ForeignKey('assignment', ['assignmentId'], ['id'], { name: 'access_token_assignment_fkey', onDelete: 'CASCADE' })
@ForeignKey('outcome', ['outcomeId'], ['id'], { name: 'access_token_outcome_fkey', onDelete: 'CASCADE' })
@Check('access_token_target_check', 'assignment_id IS NOT NULL OR outcome_id IS NOT NULL')
export class AccessToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'assignment_id', type: 'uuid', nullable: true })
  assignmentId: string | null;

  /** For a follow-up question about an outcome. */
  @Column({ name: 'outcome_id', type: 'uuid', nullable: true })
  outcomeId: string | null;

  /** The kind of link (LINK_KINDS' purpose): 'outcome' for a tester link, 'promise' for a follow-up. */
  @Column('text')
  purpose: string;

  @Column({ type: 'text', select: false })
  hash: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
