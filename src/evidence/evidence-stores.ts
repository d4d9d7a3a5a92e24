import { Injectable, OnApplicationShutdown } from '@nestjs/common';

import { AppConfig } from '../config/app-config.js';
import { PostgresEvidenceStore, S3EvidenceStore, type EvidenceStore } from './evidence-store.js';
import type { EvidenceStorage } from './evidence.entity.js';

/**
 * The stores this service can reach: PostgreSQL always, S3-compatible storage when configured. New files go to
 * object storage when there is one; each file is read from the store its row names, so switching keeps old files.
 */
@Injectable()
export class EvidenceStores implements OnApplicationShutdown {
  private readonly postgres = new PostgresEvidenceStore();
  private readonly s3: S3EvidenceStore | null;

  constructor(config: AppConfig) {
    this.s3 = config.evidenceS3 ? new S3EvidenceStore(config.evidenceS3) : null;
  }

  forWriting(): EvidenceStore {
    return this.s3 ?? this.postgres;
  }

  forReading(storage: EvidenceStorage): EvidenceStore | null {
    return storage === 'postgres' ? this.postgres : this.s3;
  }

  onApplicationShutdown(): void {
    this.s3?.close();
  }
}
