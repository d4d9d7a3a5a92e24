import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';

import { preparedQuery } from '../database/sql.js';
import { ApiKey } from './api-key.entity.js';
import type { Role } from './roles.js';

/** A live key found by its hash, with its person's roles. */
export interface KeyHolder {
  keyId: string;
  personId: string;
  organizationId: string;
  roles: Role[];
  lastUsedAt: Date | null;
}

/** Every query on `api_key`. A method given a manager runs in the caller's transaction. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(
    manager: EntityManager,
    key: Pick<ApiKey, 'organizationId' | 'personId' | 'label' | 'prefix' | 'hash' | 'createdAt'>,
  ): Promise<ApiKey> {
    return manager.save(manager.create(ApiKey, { ...key, lastUsedAt: null, revokedAt: null }));
  }

  /**
   * The live (unrevoked) key with this hash and its person's roles. Every request asks: a named prepared
   * statement straight on the pool, planned once per connection.
   */
  async holder(hash: string): Promise<KeyHolder | null> {
    const rows = await preparedQuery<{
      id: string;
      person_id: string;
      organization_id: string;
      roles: Role[];
      last_used_at: Date | null;
    }>(
      this.dataSource,
      'authenticate-api-key',
      `SELECT k.id, k.person_id, k.organization_id, k.last_used_at, p.roles
         FROM api_key k JOIN person p ON p.id = k.person_id
        WHERE k.hash = $1 AND k.revoked_at IS NULL`,
      [hash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      keyId: r.id,
      personId: r.person_id,
      organizationId: r.organization_id,
      roles: r.roles,
      lastUsedAt: r.last_used_at,
    };
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.dataSource.query('UPDATE api_key SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  /** A person's keys, newest first. */
  list(organizationId: string, personId: string): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({
      where: { organizationId, personId },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
  }

  byId(organizationId: string, personId: string, id: string): Promise<ApiKey | null> {
    return this.dataSource.getRepository(ApiKey).findOne({ where: { id, organizationId, personId } });
  }

  /** Revokes the key unless it already is. */
  async revoke(id: string, at: Date): Promise<void> {
    await this.dataSource.getRepository(ApiKey).update({ id, revokedAt: IsNull() }, { revokedAt: at });
  }
}
