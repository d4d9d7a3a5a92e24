import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { BootstrapService } from './bootstrap.service.js';

@Module({
  imports: [OrganizationsModule, PeopleModule, AuthModule],
  providers: [BootstrapService],
  exports: [BootstrapService],
})
export class BootstrapModule {}
