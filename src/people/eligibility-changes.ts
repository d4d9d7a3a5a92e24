import type { EntityManager } from 'typeorm';

/** Which live tests a change may have made ineligible: a tester's, or a touchpoint's. */
export interface EligibilityChange {
  organizationId: string;
  testerId?: string;
  touchpointId?: string;
}

/**
 * What people/ and touchpoints/ ask of planning when who may act changes (a person's roles, a
 * touchpoint's owner or team): withdraw the tests whose tester may no longer act. Planning
 * (campaigns/) provides it under ELIGIBILITY_CHANGES, so these lower folders never import it.
 */
export interface EligibilityChanges {
  /** In the change's transaction, holding the organization's planning lock. */
  withdrawIneligible(
    manager: EntityManager,
    scope: EligibilityChange,
    by: { personId: string | null; cause: 'person_edit' | 'touchpoint_edit' },
  ): Promise<unknown>;
}

export const ELIGIBILITY_CHANGES = Symbol('ELIGIBILITY_CHANGES');
