import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { CaseContact } from './case-contact.entity.js';

/** Every query on `case_contact`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class CasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A case's later contacts, oldest first (the caller has locked, or only reads, its outcome). */
  laterContacts(outcomeId: string, manager: EntityManager = this.dataSource.manager): Promise<CaseContact[]> {
    return manager.find(CaseContact, { where: { outcomeId }, order: { seq: 'ASC' } });
  }

  /** When the case's second contact (its first later one) was made; null without one. */
  async secondContactAt(manager: EntityManager, outcomeId: string): Promise<Date | null> {
    const rows: Array<{ attempted_at: Date }> = await manager.query(
      'SELECT attempted_at FROM case_contact WHERE outcome_id = $1 AND seq = 2',
      [outcomeId],
    );
    return rows[0]?.attempted_at ?? null;
  }

  /** Inserts a later contact or saves an edit of one. */
  async save(manager: EntityManager, contact: CaseContact): Promise<void> {
    await manager.save(CaseContact, contact);
  }

  /** The tester's own time zone: a promised date is a day in it. */
  async testerZone(manager: EntityManager, personId: string): Promise<string> {
    const rows: Array<{ timezone: string }> = await manager.query('SELECT timezone FROM person WHERE id = $1', [
      personId,
    ]);
    return rows[0]?.timezone ?? 'UTC';
  }
}
