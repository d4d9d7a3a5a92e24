import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { EntityManager } from 'typeorm';

import type { EvidenceS3Config } from '../config/app-config.js';
import type { EvidenceStorage } from './evidence.entity.js';
import { EvidenceBlob } from './evidence.entity.js';

/** Where one file lives: its organization and id make its key. */
export interface EvidenceKey {
  organizationId: string;
  evidenceId: string;
}

/**
 * Where evidence bytes are kept. `put` and `remove` take the transaction that writes the evidence row: a store
 * inside PostgreSQL commits or rolls back with it; one outside cannot, and the service orders its calls for that.
 */
export interface EvidenceStore {
  readonly storage: EvidenceStorage;
  put(manager: EntityManager, key: EvidenceKey, content: Buffer, contentType: string): Promise<void>;
  get(manager: EntityManager, key: EvidenceKey): Promise<Buffer | null>;
  remove(manager: EntityManager, key: EvidenceKey): Promise<void>;
}

/** The default: a bytea row beside the evidence row, in the same transaction. */
export class PostgresEvidenceStore implements EvidenceStore {
  readonly storage = 'postgres' as const;

  async put(manager: EntityManager, key: EvidenceKey, content: Buffer): Promise<void> {
    await manager.insert(EvidenceBlob, { evidenceId: key.evidenceId, organizationId: key.organizationId, content });
  }

  async get(manager: EntityManager, key: EvidenceKey): Promise<Buffer | null> {
    const row = await manager.findOneBy(EvidenceBlob, {
      evidenceId: key.evidenceId,
      organizationId: key.organizationId,
    });
    return row?.content ?? null;
  }

  async remove(manager: EntityManager, key: EvidenceKey): Promise<void> {
    await manager.delete(EvidenceBlob, { evidenceId: key.evidenceId, organizationId: key.organizationId });
  }
}

/** S3 or any S3-compatible object storage (MinIO, Ceph, R2…): one object per file, under its organization. */
export class S3EvidenceStore implements EvidenceStore {
  readonly storage = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly settings: EvidenceS3Config) {
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // checksums only where the API requires them: S3-compatible servers do not all know the newer headers
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private objectKey(key: EvidenceKey): string {
    return `${this.settings.prefix}evidence/${key.organizationId}/${key.evidenceId}`;
  }

  async put(_m: EntityManager, key: EvidenceKey, content: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: this.objectKey(key),
        Body: content,
        ContentType: contentType,
        ContentLength: content.length,
      }),
    );
  }

  async get(_m: EntityManager, key: EvidenceKey): Promise<Buffer | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }),
      );
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : null;
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      throw error;
    }
  }

  async remove(_m: EntityManager, key: EvidenceKey): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
  }

  /** Closes the client's sockets (at shutdown). */
  close(): void {
    this.client.destroy();
  }
}
