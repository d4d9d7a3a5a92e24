import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';

import { Organization } from './organization.entity.js';
import { OrganizationsRepository } from './organizations.repository.js';

@Injectable()
export class OrganizationsService {
  constructor(private readonly organizations: OrganizationsRepository) {}

  /** A tenant is only ever read by its own members: any other id is "not found". */
  async get(callerOrganizationId: string, id: string): Promise<Organization> {
    const org = id === callerOrganizationId ? await this.organizations.byId(id) : null;
    if (!org) throw new NotFoundException(`Organization ${id} not found`);
    return org;
  }

  async rename(callerOrganizationId: string, id: string, name: string): Promise<Organization> {
    return this.organizations.rename(await this.get(callerOrganizationId, id), name);
  }

  /** Deletes the tenant and, by cascade, every row of it. */
  async remove(callerOrganizationId: string, id: string, confirm: string): Promise<void> {
    const org = await this.get(callerOrganizationId, id);
    if (confirm !== org.name) {
      throw new BadRequestException({
        statusCode: 400,
        message: "confirm must equal the organization's exact name",
        errors: [{ field: 'confirm', rule: 'equals', message: "confirm must equal the organization's exact name" }],
      });
    }
    await this.organizations.delete(id);
  }
}
