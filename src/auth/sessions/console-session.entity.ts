import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A person's signed-in browser: the cookie carries a 256-bit token of which only the hash is kept here.
 * It ends at the first of: idle expiry (slides forward on use), absolute expiry, revocation, the person's removal.
 */
@Entity('console_session')
@Unique('console_session_token_hash_key', ['tokenHash'])
@Index('console_session_person_idx', ['personId'])
@Index('console_session_absolute_expires_idx', ['absoluteExpiresAt'])
@ForeignKey('person', ['personId'], ['id'], { name: 'console_session_person_fkey', onDelete: 'CASCADE' })
export class ConsoleSession {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId: string;
  @Column({ name: 'token_hash', type: 'text', select: false }) tokenHash: string;
  /** The synchronizer token every state-changing form of this session carries. */
  @Column({ name: 'csrf_token', type: 'text', select: false }) csrfToken: string;
  /** A message for the next page shown (POST-redirect-GET), cleared when shown. */
  @Column({ type: 'text', nullable: true }) flash: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'idle_expires_at', type: 'timestamptz' }) idleExpiresAt: Date;
  @Column({ name: 'absolute_expires_at', type: 'timestamptz' }) absoluteExpiresAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
}
