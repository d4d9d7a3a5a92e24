import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock } from '../common/clock.js';
import { hashSecret, newSecret } from '../common/secrets.js';
import { preparedQuery } from '../database/sql.js';
import { ApiKey } from './api-key.entity.js';
import type { ApiActor } from './actor.js';
import type { Role } from './roles.js';

export interface IssuedApiKey {
  id: string;
  label: string;
  prefix: string;
  createdAt: Date;
  /** The whole key: shown this once, never stored. */
  key: string;
}

/** How stale last_used_at may get before a request refreshes it (saves a write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async issue(organizationId: string, personId: string, label: string, manager: EntityManager = this.dataSource.manager): Promise<IssuedApiKey> {
    const key = `gt_${newSecret()}`;
    const row = manager.create(ApiKey, {
      organizationId,
      personId,
      label,
      prefix: key.slice(0, 10),
      hash: hashSecret(key),
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    const saved = await manager.save(row);
    return { id: saved.id, label: saved.label, prefix: saved.prefix, createdAt: saved.createdAt, key };
  }

  async authenticate(key: string): Promise<ApiActor | null> {
    const rows: Array<{ id: string; person_id: string; organization_id: string; roles: Role[]; last_used_at: Date | null }> =
      await preparedQuery(
        this.dataSource,
        'authenticate-api-key',
        `SELECT k.id, k.person_id, k.organization_id, k.last_used_at, p.roles
           FROM api_key k JOIN person p ON p.id = k.person_id
          WHERE k.hash = $1 AND k.revoked_at IS NULL`,
        [hashSecret(key)],
      );
    const row = rows[0];
    if (!row) return null;
    const now = this.clock.now();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.dataSource.query('UPDATE api_key SET last_used_at = $2 WHERE id = $1', [row.id, now]);
    }
    const { person_id: personId, organization_id: organizationId, roles } = row;
    return { via: 'api', keyId: row.id, personId, organizationId, roles };
  }

  list(organizationId: string, personId: string): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({
      where: { organizationId, personId },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
  }

  async revoke(organizationId: string, personId: string, keyId: string): Promise<ApiKey> {
    const repo = this.dataSource.getRepository(ApiKey);
    const key = await repo.findOne({ where: { id: keyId, organizationId, personId } });
    if (!key) throw new NotFoundException(`API key ${keyId} not found`);
    if (!key.revokedAt) {
      await repo.update({ id: keyId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
      key.revokedAt = this.clock.now();
    }
    return key;
  }
}
