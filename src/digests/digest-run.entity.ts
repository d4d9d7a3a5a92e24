import { Column, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';

import type { DigestPayload } from './digest-builder.service.js';
import { DigestSubscription } from './digest-subscription.entity.js';

/** One digest as sent: its payload is kept, so the web page and the API show exactly what went out. */
@Entity('digest_run')
@Unique('digest_run_period_key', ['subscriptionId', 'periodStart'])
@ForeignKey(() => DigestSubscription, ['subscriptionId'], ['id'], {
  name: 'digest_run_subscription_fkey',
  onDelete: 'CASCADE',
})
export class DigestRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'subscription_id', type: 'uuid' }) subscriptionId: string;
  @Column({ name: 'period_start', type: 'timestamptz' }) periodStart: Date;
  @Column({ name: 'period_end', type: 'timestamptz' }) periodEnd: Date;
  @Column({ type: 'jsonb' }) payload: DigestPayload;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
