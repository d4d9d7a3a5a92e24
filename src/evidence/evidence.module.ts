import { Module } from '@nestjs/common';

import { AssignmentsModule } from '../assignments/assignments.module.js';
import { OutcomesModule } from '../outcomes/outcomes.module.js';
import { EvidenceStores } from './evidence-stores.js';
import { EvidenceController } from './evidence.controller.js';
import { EvidenceRepository } from './evidence.repository.js';
import { EvidenceService } from './evidence.service.js';

@Module({
  imports: [OutcomesModule, AssignmentsModule],
  controllers: [EvidenceController],
  providers: [EvidenceService, EvidenceRepository, EvidenceStores],
  exports: [EvidenceService],
})
export class EvidenceModule {}
