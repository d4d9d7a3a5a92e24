import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A one-time sign-in link mailed to a person (stored hashed; the link carries the secret). It opens a
 * confirmation page until `expiresAt`; the first confirming POST sets `usedAt`, and it opens nothing after.
 */
@Entity('signin_link')
@Unique('signin_link_hash_key', ['hash'])
@Index('signin_link_person_idx', ['personId'])
@Index('signin_link_expires_idx', ['expiresAt'])
@ForeignKey('person', ['personId'], ['id'], { name: 'signin_link_person_fkey', onDelete: 'CASCADE' })
export class SigninLink {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId: string;
  @Column({ type: 'text', select: false }) hash: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
}
