import { Assignment, UnfilledSlot } from '../assignments/assignment.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { Campaign, CampaignWeek } from '../campaigns/campaign.entity.js';
import { Claim, ClaimEdit } from '../claims/claim.entity.js';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity.js';
import { DigestRendering } from '../digests/digest-rendering.entity.js';
import { DigestRun } from '../digests/digest-run.entity.js';
import { DigestSubscription } from '../digests/digest-subscription.entity.js';
import { AccessToken } from '../links/access-token.entity.js';
import { DigestLink } from '../links/digest-link.entity.js';
import { OutboxMessage } from '../mail/outbox-message.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Outcome, OutcomeEdit } from '../outcomes/outcome.entity.js';
import { Person } from '../people/person.entity.js';
import { Scenario } from '../scenarios/scenario.entity.js';
import { Touchpoint, TouchpointOwnership } from '../touchpoints/touchpoint.entity.js';
import { JobFailure } from './job-failure.entity.js';

export const entities = [
  Organization,
  Person,
  ApiKey,
  Touchpoint,
  TouchpointOwnership,
  Scenario,
  Campaign,
  CampaignWeek,
  Assignment,
  UnfilledSlot,
  AccessToken,
  Outcome,
  OutcomeEdit,
  Claim,
  ClaimEdit,
  DigestSubscription,
  DigestRun,
  DigestLink,
  DigestRendering,
  OutboxMessage,
  JobFailure,
  IdempotencyKey,
];
