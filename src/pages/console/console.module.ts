import { Module } from '@nestjs/common';

import { AssignmentsModule } from '../../assignments/assignments.module.js';
import { AuthModule } from '../../auth/auth.module.js';
import { ConsoleGuard } from '../../auth/console.guard.js';
import { CampaignsModule } from '../../campaigns/campaigns.module.js';
import { ClaimsModule } from '../../claims/claims.module.js';
import { DigestsModule } from '../../digests/digests.module.js';
import { EvidenceModule } from '../../evidence/evidence.module.js';
import { MetricsModule } from '../../metrics/metrics.module.js';
import { OutcomesModule } from '../../outcomes/outcomes.module.js';
import { PeopleModule } from '../../people/people.module.js';
import { PlanCalendarModule } from '../../plan-calendar/plan-calendar.module.js';
import { ResultsModule } from '../../results/results.module.js';
import { ScenariosModule } from '../../scenarios/scenarios.module.js';
import { SignInModule } from '../../signin/signin.module.js';
import { TouchpointsModule } from '../../touchpoints/touchpoints.module.js';
import { CampaignPagesController } from './admin/campaigns.controller.js';
import { PeoplePagesController } from './admin/people.controller.js';
import { ScenarioPagesController } from './admin/scenarios.controller.js';
import { SettingsPagesController } from './admin/settings.controller.js';
import { TouchpointPagesController } from './admin/touchpoints.controller.js';
import { ConsoleErrorsFilter } from './console-errors.filter.js';
import { HomeController } from './home.controller.js';
import { MyTouchpointsController } from './owner/my-touchpoints.controller.js';
import { ConsolePageNotFound } from './page-not-found.js';
import { PlanPagesController } from './plan/plan.controller.js';
import { ClaimsPagesController } from './quality/claims.controller.js';
import { ContactsPagesController } from './quality/contacts.controller.js';
import { DigestsPagesController } from './quality/digests.controller.js';
import { SubscriptionsPagesController } from './quality/subscriptions.controller.js';
import { ResultsPagesController } from './results/results.controller.js';
import { SessionsController } from './sessions.controller.js';
import { SignInController } from './signin.controller.js';
import { MyTestsController } from './tester/my-tests.controller.js';

/** The console: sign-in, the home page, one's sessions; feature pages add their controllers here. */
@Module({
  imports: [
    AuthModule,
    PeopleModule,
    SignInModule,
    AssignmentsModule,
    CampaignsModule,
    OutcomesModule,
    EvidenceModule,
    ClaimsModule,
    TouchpointsModule,
    DigestsModule,
    ResultsModule,
    PlanCalendarModule,
    MetricsModule,
    ScenariosModule,
  ],
  controllers: [
    SignInController,
    HomeController,
    SessionsController,
    PeoplePagesController,
    TouchpointPagesController,
    ScenarioPagesController,
    SettingsPagesController,
    CampaignPagesController,
    DigestsPagesController,
    ContactsPagesController,
    MyTestsController,
    MyTouchpointsController,
    ResultsPagesController,
    PlanPagesController,
    ClaimsPagesController,
    SubscriptionsPagesController,
  ],
  providers: [ConsoleGuard, ConsoleErrorsFilter, ConsolePageNotFound],
})
export class ConsoleModule {}
