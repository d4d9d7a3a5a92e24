import { Module } from '@nestjs/common';

import { AuthModule } from '../../auth/auth.module.js';
import { ConsoleGuard } from '../../auth/console.guard.js';
import { CampaignsModule } from '../../campaigns/campaigns.module.js';
import { DigestsModule } from '../../digests/digests.module.js';
import { MetricsModule } from '../../metrics/metrics.module.js';
import { OutcomesModule } from '../../outcomes/outcomes.module.js';
import { PeopleModule } from '../../people/people.module.js';
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
import { ContactsPagesController } from './quality/contacts.controller.js';
import { DigestsPagesController } from './quality/digests.controller.js';
import { SessionsController } from './sessions.controller.js';
import { SignInController } from './signin.controller.js';

/** The console: sign-in, the home page, one's sessions; feature pages add their controllers here. */
@Module({
  imports: [
    AuthModule,
    CampaignsModule,
    DigestsModule,
    MetricsModule,
    OutcomesModule,
    PeopleModule,
    ScenariosModule,
    SignInModule,
    TouchpointsModule,
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
  ],
  providers: [ConsoleGuard, ConsoleErrorsFilter],
})
export class ConsoleModule {}
