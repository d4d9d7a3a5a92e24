import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity('api_key')
@Unique('api_key_hash_key', ['hash'])
@Index('api_key_person_idx', ['personId'])
// By table name: auth sits below people/, which imports it (see ARCHITECTURE.md).
@ForeignKey('person', ['personId', 'organizationId'], ['id', 'organizationId'], {
  name: 'api_key_person_fk',
  onDelete: 'CASCADE',
})
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column('text')
  label: string;

  /** The first characters of the key, shown in lists so a person can tell keys apart. */
  @Column('text')
  prefix: string;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column({ type: 'text', select: false })
  hash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
