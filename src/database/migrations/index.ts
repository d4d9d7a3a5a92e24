import { Foundation1764000000000 } from './1764000000000-foundation.js';
import { MailOutbox1764100000000 } from './1764100000000-mail-outbox.js';
import { Planning1764200000000 } from './1764200000000-planning.js';
import { Outcomes1764300000000 } from './1764300000000-outcomes.js';
import { ClaimsDigests1764400000000 } from './1764400000000-claims-digests.js';
import { ClaimHistory1765100000000 } from './1765100000000-claim-history.js';
import { OwnerHistorySettings1765200000000 } from './1765200000000-owner-history-settings.js';
import { AssignmentWithdrawals1765400000000 } from './1765400000000-assignment-withdrawals.js';
import { JobFailures1765500000000 } from './1765500000000-job-failures.js';
import { IdempotencyKeys1765500000001 } from './1765500000001-idempotency-keys.js';
import { DigestLinks1765600000000 } from './1765600000000-digest-links.js';
import { ClaimRevisedAt1765800000000 } from './1765800000000-claim-revised-at.js';
import { ConsoleSessions1766100000000 } from './1766100000000-console-sessions.js';
import { FormerOwnersIndex1766750000000 } from './1766750000000-former-owners-index.js';
import { DigestRunRows1766750000001 } from './1766750000001-digest-run-rows.js';
import { CampaignAllocation1766780000000 } from './1766780000000-campaign-allocation.js';
import { Evidence1766790000000 } from './1766790000000-evidence.js';
import { ChannelFields1766798000000 } from './1766798000000-channel-fields.js';
import { Cases1766810000000 } from './1766810000000-cases.js';
import { PersonLocale1766830000000 } from './1766830000000-person-locale.js';

/** Every migration, oldest first. A generated migration is added here to take effect. */
export const migrations = [
  Foundation1764000000000,
  MailOutbox1764100000000,
  Planning1764200000000,
  Outcomes1764300000000,
  ClaimsDigests1764400000000,
  ClaimHistory1765100000000,
  OwnerHistorySettings1765200000000,
  AssignmentWithdrawals1765400000000,
  JobFailures1765500000000,
  IdempotencyKeys1765500000001,
  DigestLinks1765600000000,
  ClaimRevisedAt1765800000000,
  ConsoleSessions1766100000000,
  FormerOwnersIndex1766750000000,
  DigestRunRows1766750000001,
  CampaignAllocation1766780000000,
  Evidence1766790000000,
  ChannelFields1766798000000,
  Cases1766810000000,
  PersonLocale1766830000000,
];
