import { Injectable } from '@nestjs/common';

import { missedFrom } from '../assignments/assignment-lifecycle.js';
import type { AssignmentStatus } from '../assignments/assignment.entity.js';
import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import type { CancelReason } from '../assignments/withdrawal-reasons.js';
import { SecretLinks } from '../links/secret-links.service.js';
import type { FormContext } from './outcome-form.js';

export interface ResolvedLink {
  assignmentId: string;
  organizationId: string;
  testerId: string;
  status: AssignmentStatus;
  cancelReason: CancelReason | null;
  /** With nothing recorded by then, the test is missed (window end + the campaign's grace). */
  missedAt: Date;
  form: FormContext;
}

/** Turns a tester link's secret into its one assignment — and nothing else. */
@Injectable()
export class TesterLinkService {
  constructor(
    private readonly links: SecretLinks,
    private readonly assignments: AssignmentsRepository,
  ) {}

  async resolve(
    token: string,
  ): Promise<{ state: 'unknown' | 'expired' | 'revoked' } | { state: 'ok'; link: ResolvedLink }> {
    const found = await this.links.resolve('tester', token);
    if (found.state !== 'ok') return found;
    const row = await this.assignments.testerForm(found.link.targetId);
    // the token's row goes with its assignment (ON DELETE CASCADE): only a race gets here
    if (!row) return { state: 'unknown' };
    const { testerName, zone, window, touchpoint, scenario } = row;
    return {
      state: 'ok',
      link: {
        assignmentId: row.assignmentId,
        organizationId: row.organizationId,
        testerId: row.testerId,
        status: row.status,
        cancelReason: row.cancelReason,
        missedAt: missedFrom(window.end, row.graceMinutes),
        form: { touchpoint, scenario, window, zone, testerName },
      },
    };
  }
}
