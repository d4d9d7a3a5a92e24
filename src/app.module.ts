import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { dataSourceOptions } from '../ormconfig.js';
import { AssignmentsModule } from './assignments/assignments.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BootstrapModule } from './bootstrap/bootstrap.module.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { EligibilityChangesModule } from './campaigns/eligibility-changes.module.js';
import { ClaimsModule } from './claims/claims.module.js';
import { Clock } from './common/clock.js';
import { CommonModule } from './common/common.module.js';
import type { AppLogger } from './common/logging/logger.js';
import { AppConfig } from './config/app-config.js';
import { DatabaseModule } from './database/database.module.js';
import { DigestsModule } from './digests/digests.module.js';
import { EvidenceModule } from './evidence/evidence.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { OutcomesModule } from './outcomes/outcomes.module.js';
import { ConsoleModule } from './pages/console/console.module.js';
import { PagesModule } from './pages/pages.module.js';
import { PeopleModule } from './people/people.module.js';
import { PlanCalendarModule } from './plan-calendar/plan-calendar.module.js';
import { ResultsModule } from './results/results.module.js';
import { ScenariosModule } from './scenarios/scenarios.module.js';
import { TouchpointsModule } from './touchpoints/touchpoints.module.js';

@Module({})
export class AppModule {
  /** `config.databaseUrl` must be set by now (main starts the embedded server first). */
  static forRoot(config: AppConfig, clock: Clock, logger: AppLogger): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a database URL');
    return {
      module: AppModule,
      imports: [
        CommonModule.forRoot(config, clock, logger),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, config.databasePoolSize),
          retryAttempts: 3,
          retryDelay: 1_000,
        }),
        DatabaseModule,
        IdempotencyModule,
        AuthModule,
        OrganizationsModule,
        PeopleModule,
        TouchpointsModule,
        ScenariosModule,
        CampaignsModule,
        EligibilityChangesModule,
        AssignmentsModule,
        JobsModule,
        OutcomesModule,
        EvidenceModule,
        PagesModule,
        ResultsModule,
        PlanCalendarModule,
        ConsoleModule,
        MetricsModule,
        ClaimsModule,
        DigestsModule,
        MailModule,
        HealthModule,
        BootstrapModule,
      ],
    };
  }
}
