import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

import { Organization } from '../organizations/organization.entity.js';
import { Outcome } from '../outcomes/outcome.entity.js';
import { Person } from '../people/person.entity.js';

export const EVIDENCE_KINDS = ['image', 'pdf', 'audio'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const EVIDENCE_STORAGES = ['postgres', 's3'] as const;
export type EvidenceStorage = (typeof EVIDENCE_STORAGES)[number];

/** One file attached to a contact by its tester. The bytes live in the store named by `storage`. */
@Entity('evidence')
@Check('evidence_kind_check', "kind IN ('image', 'pdf', 'audio')")
@Check('evidence_storage_check', "storage IN ('postgres', 's3')")
@Check('evidence_bytes_check', 'bytes > 0')
@Index('evidence_outcome_idx', ['outcomeId', 'createdAt'])
@Index('evidence_organization_idx', ['organizationId'])
@ForeignKey(() => Organization, ['organizationId'], ['id'], { name: 'evidence_organization_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Outcome, ['outcomeId'], ['id'], { name: 'evidence_outcome_fkey', onDelete: 'CASCADE' })
@ForeignKey(() => Person, ['uploadedBy'], ['id'], { name: 'evidence_uploaded_by_fkey', onDelete: 'SET NULL' })
export class Evidence {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'outcome_id', type: 'uuid' }) outcomeId: string;
  @Column({ name: 'uploaded_by', type: 'uuid', nullable: true }) uploadedBy: string | null;
  @Column('text') kind: EvidenceKind;
  /** As found in the bytes (never as the uploader's browser named it). */
  @Column({ name: 'content_type', type: 'text' }) contentType: string;
  @Column('integer') bytes: number;
  @Column('text') sha256: string;
  @Column({ name: 'file_name', type: 'text' }) fileName: string;
  /** True when the file was re-encoded without its metadata (images); PDFs and audio are kept as sent. */
  @Column({ name: 'metadata_stripped', type: 'boolean' }) metadataStripped: boolean;
  @Column('text') storage: EvidenceStorage;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** An evidence file's bytes, when PostgreSQL is its store. */
@Entity('evidence_blob')
@Index('evidence_blob_organization_idx', ['organizationId'])
@ForeignKey(() => Evidence, ['evidenceId'], ['id'], { name: 'evidence_blob_evidence_fkey', onDelete: 'CASCADE' })
export class EvidenceBlob {
  @PrimaryColumn({ name: 'evidence_id', type: 'uuid' }) evidenceId: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column('bytea') content: Buffer;
}
