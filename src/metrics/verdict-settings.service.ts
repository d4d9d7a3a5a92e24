import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { OrganizationsRepository } from '../organizations/organizations.repository.js';
import type { UpdateOrganizationSettingsDto } from './verdict-settings.dto.js';
import { OrganizationSettingsView } from './verdict-settings.dto.js';
import { effectiveSettings, EffectiveSettings, mergeSettings } from './verdict-settings.js';

/**
 * An organization's verdict settings: whether ad-hoc contacts count, the gap that matters per metric, and its own
 * targets per metric.
 */
@Injectable()
export class VerdictSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsRepository,
  ) {}

  /** The settings in force for the metrics and the digest (the defaults for an unknown organization). */
  async effective(organizationId: string): Promise<EffectiveSettings> {
    return effectiveSettings(await this.organizations.settings(organizationId));
  }

  /** The settings in force, defaults filled in, and which gaps the organization set itself. */
  async view(organizationId: string): Promise<OrganizationSettingsView> {
    const org = await this.organizations.byId(organizationId);
    if (!org) throw new NotFoundException(`Organization ${organizationId} not found`);
    return OrganizationSettingsView.of(effectiveSettings(org.settings), Object.keys(org.settings.gapThatMatters ?? {}));
  }

  /** Changes only what the patch names, under a row lock so two admins' patches both land. */
  async update(organizationId: string, patch: UpdateOrganizationSettingsDto): Promise<OrganizationSettingsView> {
    const settings = await this.dataSource.transaction(async (manager) => {
      const org = await this.organizations.lock(manager, organizationId);
      if (!org) throw new NotFoundException(`Organization ${organizationId} not found`);
      const gapThatMatters = patch.gapThatMatters && { ...patch.gapThatMatters };
      const targets = patch.targets && { ...patch.targets };
      const merged = mergeSettings(org.settings ?? {}, { ...patch, gapThatMatters, targets });
      await this.organizations.saveSettings(manager, organizationId, merged);
      return merged;
    });
    return OrganizationSettingsView.of(effectiveSettings(settings), Object.keys(settings.gapThatMatters ?? {}));
  }
}
