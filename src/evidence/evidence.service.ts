import { createHash, randomUUID } from 'node:crypto';

import {
  ConflictException,
  HttpException,
  HttpStatus,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { AssignmentsRepository } from '../assignments/assignments.repository.js';
import { TESTER_EXPLANATIONS } from '../assignments/withdrawal-reasons.js';
import { hasRole, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import type { FieldError } from '../common/validation/validation-errors.js';
import type { Outcome } from '../outcomes/outcome.entity.js';
import { OutcomesRepository } from '../outcomes/outcomes.repository.js';
import { prepareEvidence } from './evidence-content.js';
import { keptFileName, noFile, roomFor } from './evidence-rules.js';
import { EvidenceStores } from './evidence-stores.js';
import { Evidence } from './evidence.entity.js';
import { EvidenceRepository } from './evidence.repository.js';

/** A file as the upload handed it over. */
export interface UploadedFile {
  buffer: Buffer;
  originalname?: string;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
};

/** The status each refusal of a file answers with; the body names the field and the rule, as a 400 does. */
const STATUS_OF_RULE: Record<string, number> = {
  required: HttpStatus.BAD_REQUEST,
  fileBytes: HttpStatus.PAYLOAD_TOO_LARGE,
  contactBytes: HttpStatus.PAYLOAD_TOO_LARGE,
  filesPerContact: HttpStatus.CONFLICT,
  fileType: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  imagePixels: HttpStatus.UNPROCESSABLE_ENTITY,
  unreadable: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** A refused file: its status by rule, and the same body as a field validation error. */
export class EvidenceRefused extends HttpException {
  constructor(readonly fieldError: FieldError) {
    const status = STATUS_OF_RULE[fieldError.rule] ?? HttpStatus.BAD_REQUEST;
    super(
      { statusCode: status, error: STATUS_NAMES[status], message: fieldError.message, errors: [fieldError] },
      status,
    );
  }
}

/** A file and its bytes, for download. */
export interface EvidenceFile {
  evidence: Evidence;
  content: Buffer;
}

/**
 * Files a tester attaches to a contact they recorded, while its outcome may still be edited; read by quality and
 * admins of the organization only (never by owners, nor by the tester once sent: evidence is for the review).
 */
@Injectable()
export class EvidenceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly evidence: EvidenceRepository,
    private readonly outcomes: OutcomesRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly stores: EvidenceStores,
    private readonly clock: Clock,
  ) {}

  /** The actor's own outcome, or the 404 of one that does not exist. */
  private async ownOutcome(actor: Actor, outcomeId: string): Promise<Outcome> {
    const outcome = await this.outcomes.byId(outcomeId, actor.organizationId);
    if (!outcome || outcome.testerId !== actor.personId) throw new NotFoundException(`Outcome ${outcomeId} not found`);
    return outcome;
  }

  /** 409 unless the tester may still change this outcome: within its edit period, and still its tester. */
  private async mustBeChangeable(outcome: Outcome): Promise<void> {
    if (this.clock.now() > outcome.editableUntil)
      throw new ConflictException(
        `Files can be attached while the outcome can be edited, until ${outcome.editableUntil.toISOString()}; ` +
          'that time has passed',
      );
    const why = outcome.assignmentId ? await this.assignments.whyIneligible(outcome.assignmentId) : null;
    if (why) throw new ConflictException(`This contact can no longer be changed: ${TESTER_EXPLANATIONS[why]}`);
  }

  /** Attaches one file to the actor's own contact; the file is checked, cleaned and stored, or refused whole. */
  async attach(actor: Actor, outcomeId: string, file: UploadedFile | undefined): Promise<Evidence> {
    if (!file?.buffer?.length) throw new EvidenceRefused(noFile());
    const outcome = await this.ownOutcome(actor, outcomeId);
    await this.mustBeChangeable(outcome);
    const prepared = await prepareEvidence(file.buffer);
    if ('rule' in prepared) throw new EvidenceRefused(prepared);
    const store = this.stores.forWriting();
    const row = Object.assign(new Evidence(), {
      id: randomUUID(),
      organizationId: actor.organizationId,
      outcomeId,
      uploadedBy: actor.personId,
      kind: prepared.kind,
      contentType: prepared.contentType,
      bytes: prepared.content.length,
      sha256: createHash('sha256').update(prepared.content).digest('hex'),
      fileName: keptFileName(file.originalname, prepared.extension),
      metadataStripped: prepared.metadataStripped,
      storage: store.storage,
      createdAt: this.clock.now(),
    });
    const key = { organizationId: row.organizationId, evidenceId: row.id };
    let stored = false;
    try {
      await this.dataSource.transaction(async (manager) => {
        // the outcome's lock makes concurrent uploads to one contact take turns, so the limits hold
        if (!(await this.outcomes.lockById(manager, outcomeId)))
          throw new NotFoundException(`Outcome ${outcomeId} not found`);
        const full = roomFor(await this.evidence.usage(manager, outcomeId), row.bytes);
        if (full) throw new EvidenceRefused(full);
        await this.evidence.insert(manager, row);
        await store.put(manager, key, prepared.content, row.contentType);
        stored = true;
      });
    } catch (error) {
      // an object store does not roll back with the transaction: take back what it was given
      if (stored && store.storage !== 'postgres') await store.remove(this.dataSource.manager, key).catch(() => {});
      throw error;
    }
    return row;
  }

  /** A contact's files (admin, quality). */
  async list(actor: Actor, outcomeId: string): Promise<Evidence[]> {
    if (!(await this.outcomes.byId(outcomeId, actor.organizationId)))
      throw new NotFoundException(`Outcome ${outcomeId} not found`);
    return this.evidence.ofOutcome(actor.organizationId, outcomeId);
  }

  /** What the tester sees of the files they attached (names and sizes, on their own form). */
  async listOwn(actor: Actor, outcomeId: string): Promise<Evidence[]> {
    await this.ownOutcome(actor, outcomeId);
    return this.evidence.ofOutcome(actor.organizationId, outcomeId);
  }

  /** One file with its bytes (admin, quality). */
  async download(actor: Actor, outcomeId: string, evidenceId: string): Promise<EvidenceFile> {
    const evidence = await this.evidence.one(actor.organizationId, outcomeId, evidenceId);
    if (!evidence) throw new NotFoundException(`Evidence ${evidenceId} not found`);
    const store = this.stores.forReading(evidence.storage);
    if (!store)
      throw new ServiceUnavailableException(
        `This file is kept in ${evidence.storage} storage, which is not configured on this service`,
      );
    const content = await store.get(this.dataSource.manager, { organizationId: evidence.organizationId, evidenceId });
    if (!content) throw new ServiceUnavailableException('This file is missing from its storage');
    return { evidence, content };
  }

  /**
   * Removes a file: its tester while the outcome can be edited (a wrong photo), or an admin at any time (a file
   * that should not have been kept).
   */
  async remove(actor: Actor, outcomeId: string, evidenceId: string): Promise<void> {
    const asAdmin = hasRole(actor, 'admin');
    if (!asAdmin) await this.mustBeChangeable(await this.ownOutcome(actor, outcomeId));
    const evidence = await this.evidence.one(actor.organizationId, outcomeId, evidenceId);
    if (!evidence || (!asAdmin && evidence.uploadedBy !== actor.personId))
      throw new NotFoundException(`Evidence ${evidenceId} not found`);
    const store = this.stores.forReading(evidence.storage);
    const key = { organizationId: evidence.organizationId, evidenceId };
    await this.dataSource.transaction(async (manager) => {
      await this.evidence.remove(manager, evidence);
      if (store?.storage === 'postgres') await store.remove(manager, key);
    });
    // the row is gone first: a failed object delete leaves an unreachable object, never a row without its file
    if (store && store.storage !== 'postgres') await store.remove(this.dataSource.manager, key);
  }
}
