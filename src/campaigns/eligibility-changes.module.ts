import { Global, Module } from '@nestjs/common';

import { ELIGIBILITY_CHANGES } from '../people/eligibility-changes.js';
import { CampaignsModule } from './campaigns.module.js';
import { WithdrawalsService } from './withdrawals.service.js';

/** Planning's answer to a change of who may act; global, so people/ and touchpoints/ need not import campaigns/. */
@Global()
@Module({
  imports: [CampaignsModule],
  providers: [{ provide: ELIGIBILITY_CHANGES, useExisting: WithdrawalsService }],
  exports: [ELIGIBILITY_CHANGES],
})
export class EligibilityChangesModule {}
