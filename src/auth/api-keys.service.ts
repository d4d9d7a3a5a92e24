import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { Clock } from '../common/clock.js';
import { hashSecret, newSecret } from '../common/secrets.js';
import type { ApiActor } from './actor.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysRepository } from './api-keys.repository.js';

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
    private readonly keys: ApiKeysRepository,
    private readonly clock: Clock,
  ) {}

  async issue(
    organizationId: string,
    personId: string,
    label: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<IssuedApiKey> {
    const key = `gt_${newSecret()}`;
    const saved = await this.keys.insert(manager, {
      organizationId,
      personId,
      label,
      prefix: key.slice(0, 10),
      hash: hashSecret(key),
      createdAt: this.clock.now(),
    });
    return { id: saved.id, label: saved.label, prefix: saved.prefix, createdAt: saved.createdAt, key };
  }

  async authenticate(key: string): Promise<ApiActor | null> {
    const holder = await this.keys.holder(hashSecret(key));
    if (!holder) return null;
    const now = this.clock.now();
    if (!holder.lastUsedAt || now.getTime() - holder.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.keys.touch(holder.keyId, now);
    }
    const { keyId, personId, organizationId, roles } = holder;
    return { via: 'api', keyId, personId, organizationId, roles };
  }

  list(organizationId: string, personId: string): Promise<ApiKey[]> {
    return this.keys.list(organizationId, personId);
  }

  async revoke(organizationId: string, personId: string, keyId: string): Promise<ApiKey> {
    const key = await this.keys.byId(organizationId, personId, keyId);
    if (!key) throw new NotFoundException(`API key ${keyId} not found`);
    if (!key.revokedAt) {
      await this.keys.revoke(keyId, this.clock.now());
      key.revokedAt = this.clock.now();
    }
    return key;
  }
}
