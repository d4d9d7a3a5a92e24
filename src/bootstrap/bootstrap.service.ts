import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';

import { ApiKeysService, IssuedApiKey } from '../auth/api-keys.service.js';
import { isIanaTimeZone, TIME_ZONE_MESSAGE } from '../common/validation/domain.validators.js';
import { FieldError, FieldValidationException } from '../common/validation/validation-errors.js';
import type { Organization } from '../organizations/organization.entity.js';
import { OrganizationsRepository } from '../organizations/organizations.repository.js';
import { PeopleService } from '../people/people.service.js';
import type { Person } from '../people/person.entity.js';

export interface BootstrapResult {
  organization: Organization;
  admin: Person;
  apiKey: IssuedApiKey;
}

/**
 * A new tenant (`npm run cli -- bootstrap`, the demo, the tests' factories). It sits above organizations,
 * people and auth because it writes all three; none of them needs to know of it.
 */
@Injectable()
export class BootstrapService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsRepository,
    private readonly people: PeopleService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** A new tenant with its first admin and that admin's key, in one transaction. */
  async bootstrap(input: {
    name: string;
    adminEmail: string;
    adminName?: string;
    timezone?: string;
  }): Promise<BootstrapResult> {
    const name = input.name?.trim() ?? '';
    const email = input.adminEmail?.trim().toLowerCase() ?? '';
    const timezone = input.timezone ?? 'UTC';
    const errors: FieldError[] = [];
    if (name.length < 1 || name.length > 200)
      errors.push({ field: 'org', rule: 'length', message: 'org must be a name of 1 to 200 characters' });
    if (!isEmail(email))
      errors.push({ field: 'admin-email', rule: 'isEmail', message: 'admin-email must be an email address' });
    if (!isIanaTimeZone(timezone)) {
      errors.push({ field: 'timezone', rule: 'isIanaTimeZone', message: `timezone ${TIME_ZONE_MESSAGE}` });
    }
    if (errors.length) throw new FieldValidationException(errors);
    return this.dataSource.transaction(async (manager) => {
      const organization = await this.organizations.create(manager, name);
      const admin = await this.people.create(
        organization.id,
        { email, name: input.adminName?.trim() || email.split('@')[0], roles: ['admin'], timezone },
        manager,
      );
      const apiKey = await this.apiKeys.issue(organization.id, admin.id, 'bootstrap', manager);
      return { organization, admin, apiKey };
    });
  }
}
