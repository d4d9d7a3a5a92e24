import { randomBytes } from 'node:crypto';

import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import type { Page } from '../common/pagination.js';
import { assertValidMerged } from '../common/validation/validate-dto.js';
import { FieldError, FieldValidationException } from '../common/validation/validation-errors.js';
import { lockOrganizationPlanning } from '../database/advisory-lock.js';
import { markIdempotencyKeyUsed } from '../idempotency/idempotency-context.js';
import { allocationErrors, campaignSizeErrors } from './campaign-limits.js';
import { CampaignsQuery, CreateCampaignDto, DEFAULTS, UpdateCampaignDto } from './campaign.dto.js';
import type { Campaign } from './campaign.entity.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { WithdrawalsService } from './withdrawals.service.js';

@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly campaigns: CampaignsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly withdrawals: WithdrawalsService,
  ) {}

  async list(organizationId: string, query: CampaignsQuery): Promise<Page<Campaign>> {
    return this.campaigns.list(organizationId, query.q, query);
  }

  async get(organizationId: string, id: string): Promise<Campaign> {
    const campaign = await this.campaigns.find(organizationId, id);
    if (!campaign) throw new NotFoundException(`Campaign ${id} not found`);
    return campaign;
  }

  async create(organizationId: string, dto: CreateCampaignDto): Promise<Campaign> {
    return this.dataSource.transaction(async (manager) => {
      await this.assertReferences(manager, organizationId, dto);
      await markIdempotencyKeyUsed(manager);
      // 128 random bits: the plan is reproducible by whoever holds the seed, and only by them.
      const seed = randomBytes(16).toString('hex');
      return this.campaigns.create(manager, { organizationId, ...this.columns(dto), seed });
    });
  }

  /**
   * Other settings apply to weeks planned from now on (or re-planned); but a tester or touchpoint
   * taken out, or dates narrowed, withdraw the affected tests at once (see afterCampaignEdit).
   */
  async update(
    organizationId: string,
    id: string,
    dto: UpdateCampaignDto,
    by: string | null = null,
  ): Promise<Campaign> {
    return this.dataSource.transaction(async (manager) => {
      await lockOrganizationPlanning(manager, organizationId);
      const current = await this.campaigns.lock(manager, id, organizationId);
      if (!current) throw new NotFoundException(`Campaign ${id} not found`);
      const before = { ...current };
      const { seed: _seed, id: _id, organizationId: _org, createdAt: _c, updatedAt: _u, ...fields } = current;
      // Back to per-touchpoint: the budget and floor go with it unless given.
      const kept =
        dto.allocation === 'per-touchpoint' ? { ...fields, weeklyBudget: null, floorPerTouchpoint: null } : fields;
      const merged = await assertValidMerged(CreateCampaignDto, { ...kept, ...dto });
      await this.assertReferences(manager, organizationId, merged);
      Object.assign(current, this.columns(merged));
      const saved = await this.campaigns.save(manager, current);
      await this.withdrawals.afterCampaignEdit(manager, before, saved, { personId: by, cause: 'campaign_edit' });
      return saved;
    });
  }

  /** A campaign with history (revealed, done or missed tests) is kept: the digest needs it. */
  async remove(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const campaign = await this.campaigns.lock(manager, id, organizationId);
      if (!campaign) throw new NotFoundException(`Campaign ${id} not found`);
      const n = await this.assignments.countWithHistory(manager, id);
      if (n > 0)
        throw new ConflictException(
          `Campaign ${id} has ${n} revealed or finished assignment(s); set endsOn to stop it instead`,
        );
      await this.campaigns.delete(manager, id);
    });
  }

  private columns(dto: CreateCampaignDto) {
    return {
      name: dto.name,
      touchpointIds: dto.touchpointIds ?? [],
      team: dto.team ?? null,
      channels: dto.channels ?? [],
      testerIds: dto.testerIds,
      scenarioIds: dto.scenarioIds ?? [],
      contactsPerTouchpointPerWeek: dto.contactsPerTouchpointPerWeek,
      allocation: dto.allocation ?? 'per-touchpoint',
      weeklyBudget: dto.allocation === 'by-need' ? (dto.weeklyBudget ?? null) : null,
      floorPerTouchpoint: dto.allocation === 'by-need' ? (dto.floorPerTouchpoint ?? null) : null,
      windowMinutes: dto.windowMinutes ?? DEFAULTS.windowMinutes,
      revealLeadMinutes: dto.revealLeadMinutes ?? DEFAULTS.revealLeadMinutes,
      holdLeadMinutes: dto.holdLeadMinutes ?? null,
      remindBeforeMinutes: dto.remindBeforeMinutes ?? DEFAULTS.remindBeforeMinutes,
      graceMinutes: dto.graceMinutes ?? DEFAULTS.graceMinutes,
      minSpacingHours: dto.minSpacingHours ?? DEFAULTS.minSpacingHours,
      testerWeeklyCap: dto.testerWeeklyCap ?? DEFAULTS.testerWeeklyCap,
      rotationDays: dto.rotationDays ?? DEFAULTS.rotationDays,
      allowOwnerSelfTest: dto.allowOwnerSelfTest ?? false,
      startsOn: dto.startsOn,
      endsOn: dto.endsOn ?? null,
      horizonDays: dto.horizonDays ?? DEFAULTS.horizonDays,
    };
  }

  /** Every id must be a row of this organization; testers must hold the tester role; the size in CAMPAIGN_LIMITS. */
  private async assertReferences(
    manager: EntityManager,
    organizationId: string,
    dto: CreateCampaignDto,
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (!dto.touchpointIds?.length && !dto.team && !dto.channels?.length) {
      errors.push({
        field: 'touchpointIds',
        rule: 'selectsTouchpoints',
        message: 'give touchpointIds, or a team and/or channels to choose touchpoints by',
      });
    }
    const checks = [
      ['touchpointIds', 'touchpoint', dto.touchpointIds, 'touchpoints of your organization'],
      ['testerIds', 'tester', dto.testerIds, 'people of your organization who hold the tester role'],
      ['scenarioIds', 'scenario', dto.scenarioIds, 'scenarios of your organization'],
    ] as const;
    for (const [field, kind, ids, what] of checks) {
      const bad = await this.campaigns.missing(manager, organizationId, kind, ids ?? []);
      if (bad.length)
        errors.push({
          field,
          rule: 'exists',
          message: `${field} must be ${what}; not: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`,
        });
    }
    if (errors.length) throw new FieldValidationException(errors);
    const n = await this.campaigns.countSelected(manager, {
      organizationId,
      touchpointIds: dto.touchpointIds ?? [],
      team: dto.team ?? null,
      channels: dto.channels ?? [],
    });
    const size = {
      touchpoints: n,
      testers: dto.testerIds.length,
      contactsPerTouchpointPerWeek: dto.contactsPerTouchpointPerWeek,
      byIds: !!dto.touchpointIds?.length,
      weeklyBudget: dto.allocation === 'by-need' ? dto.weeklyBudget : null,
    };
    const tooLarge = campaignSizeErrors(size);
    const allocation = allocationErrors({ ...dto, touchpoints: n });
    if (allocation.length) throw new FieldValidationException(allocation);
    if (tooLarge.length) throw new FieldValidationException(tooLarge, 'The campaign is too large');
  }
}
