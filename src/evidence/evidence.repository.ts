import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { Evidence } from './evidence.entity.js';

/** Every query of the evidence table (the bytes are the stores' business). */
@Injectable()
export class EvidenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A contact's files, oldest first. */
  ofOutcome(organizationId: string, outcomeId: string, manager = this.dataSource.manager): Promise<Evidence[]> {
    return manager.find(Evidence, { where: { organizationId, outcomeId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** How many files a contact carries and their stored size (under the outcome's lock, so limits hold). */
  async usage(manager: EntityManager, outcomeId: string): Promise<{ files: number; bytes: number }> {
    const [row]: Array<{ files: number; bytes: string }> = await manager.query(
      'SELECT count(*)::int AS files, coalesce(sum(bytes), 0)::bigint AS bytes FROM evidence WHERE outcome_id = $1',
      [outcomeId],
    );
    return { files: row.files, bytes: Number(row.bytes) };
  }

  one(organizationId: string, outcomeId: string, id: string, manager = this.dataSource.manager) {
    return manager.findOneBy(Evidence, { organizationId, outcomeId, id });
  }

  async insert(manager: EntityManager, evidence: Evidence): Promise<void> {
    await manager.insert(Evidence, evidence);
  }

  async remove(manager: EntityManager, evidence: Evidence): Promise<void> {
    await manager.delete(Evidence, { id: evidence.id, organizationId: evidence.organizationId });
  }
}
