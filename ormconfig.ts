import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';

import { Assignment, UnfilledSlot } from './src/assignments/assignment.entity.js';
import { ApiKey } from './src/auth/api-key.entity.js';
import { ConsoleSession } from './src/auth/sessions/console-session.entity.js';
import { Campaign, CampaignWeek } from './src/campaigns/campaign.entity.js';
import { Claim, ClaimEdit } from './src/claims/claim.entity.js';
import { JobFailure } from './src/database/job-failure.entity.js';
import { migrations } from './src/database/migrations/index.js';
import { DigestRendering } from './src/digests/digest-rendering.entity.js';
import { DigestRunRow } from './src/digests/digest-run-row.entity.js';
import { DigestRun } from './src/digests/digest-run.entity.js';
import { DigestSubscription } from './src/digests/digest-subscription.entity.js';
import { Evidence, EvidenceBlob } from './src/evidence/evidence.entity.js';
import { IdempotencyKey } from './src/idempotency/idempotency-key.entity.js';
import { AccessToken } from './src/links/access-token.entity.js';
import { DigestLink } from './src/links/digest-link.entity.js';
import { SigninLink } from './src/links/signin-link.entity.js';
import { OutboxMessage } from './src/mail/outbox-message.entity.js';
import { Organization } from './src/organizations/organization.entity.js';
import { CaseContact } from './src/outcomes/case-contact.entity.js';
import { Outcome, OutcomeEdit } from './src/outcomes/outcome.entity.js';
import { Person } from './src/people/person.entity.js';
import { Scenario } from './src/scenarios/scenario.entity.js';
import { Touchpoint, TouchpointOwnership } from './src/touchpoints/touchpoint.entity.js';

/**
 * Every table's entity. The list lives here, with the data source, rather than in src/database/: the
 * features import database/ (locks, SQL helpers), so database/ must not import the features back.
 */
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
  CaseContact,
  Claim,
  ClaimEdit,
  DigestSubscription,
  DigestRun,
  DigestRunRow,
  DigestLink,
  DigestRendering,
  OutboxMessage,
  JobFailure,
  IdempotencyKey,
  SigninLink,
  ConsoleSession,
  Evidence,
  EvidenceBlob,
];

/** The one set of DataSource options: the service, the CLI and the TypeORM CLI all use it. */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 5_000, application_name: 'groundtruth' },
  };
}

// The TypeORM CLI (`npm run typeorm -- …`) loads this default export; DATABASE_URL is set by
// src/database/typeorm-cli.ts, which starts the embedded server when nothing is configured.
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/groundtruth'));
