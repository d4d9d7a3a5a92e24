import { Controller, Delete, Get, HttpCode, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';

import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ApiAuthenticated, ValidationErrorBody } from '../common/api-docs.decorators.js';
import { UuidParam } from '../common/validation/uuid-param.js';
import { sendEvidenceFile } from './evidence-download.js';
import { ACCEPTED_IN_WORDS, EVIDENCE_LIMITS } from './evidence-rules.js';
import { EvidenceUploadInterceptor } from './evidence-upload.interceptor.js';
import { EvidencePage, EvidenceUpload, EvidenceView } from './evidence.dto.js';
import { EvidenceService, type UploadedFile as Uploaded } from './evidence.service.js';

const MiB = 1024 * 1024;
const LIMITS_IN_WORDS =
  `at most ${EVIDENCE_LIMITS.fileBytes / MiB} MB a file, ${EVIDENCE_LIMITS.filesPerContact} files and ` +
  `${EVIDENCE_LIMITS.contactBytes / MiB} MB a contact`;

@ApiTags('evidence')
@ApiAuthenticated()
@Controller('api/v1/outcomes/:id/evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Post()
  @Roles('tester')
  @UseInterceptors(EvidenceUploadInterceptor)
  @ApiOperation({
    summary: 'Attach a file to your own contact',
    description:
      `While the outcome can be edited: ${ACCEPTED_IN_WORDS}, ${LIMITS_IN_WORDS}. The type is read from the ` +
      'content. Images are re-encoded without their metadata (EXIF, GPS, XMP, IPTC); PDFs and audio are kept as ' +
      'sent. Never photograph staff or other customers.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: EvidenceUpload })
  @ApiCreatedResponse({ type: EvidenceView })
  @ApiConflictResponse({
    type: ValidationErrorBody,
    description: 'The outcome can no longer be edited, or the contact already has the most files it may carry',
  })
  @ApiPayloadTooLargeResponse({
    type: ValidationErrorBody,
    description: "The file, or the contact's total, is too large",
  })
  @ApiUnsupportedMediaTypeResponse({ type: ValidationErrorBody, description: 'The content is not a type accepted' })
  @ApiUnprocessableEntityResponse({
    type: ValidationErrorBody,
    description: 'An image that cannot be read, or too big',
  })
  async attach(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @UploadedFile() file: Uploaded | undefined,
  ): Promise<EvidenceView> {
    return EvidenceView.of(await this.evidence.attach(me, id, file));
  }

  @Get()
  @Roles('admin', 'quality')
  @ApiOperation({ summary: "List a contact's files" })
  @ApiOkResponse({ type: EvidencePage })
  async list(@CurrentActor() me: Actor, @UuidParam('id') id: string): Promise<EvidencePage> {
    const items = await this.evidence.list(me, id);
    return { items: items.map(EvidenceView.of), total: items.length };
  }

  @Get(':evidenceId')
  @Roles('admin', 'quality')
  @ApiOperation({ summary: 'Download one file (as an attachment, never shown inline)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes, with the type found in them and Content-Disposition: attachment' })
  @ApiServiceUnavailableResponse({ description: "The file's storage is not reachable or not configured" })
  async download(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @UuidParam('evidenceId') evidenceId: string,
    @Res() res: Response,
  ): Promise<void> {
    sendEvidenceFile(res, await this.evidence.download(me, id, evidenceId));
  }

  @Delete(':evidenceId')
  @Roles('admin', 'tester')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a file',
    description: 'Its tester, while the outcome can be edited (a wrong photo); an admin at any time',
  })
  @ApiNoContentResponse({ description: 'Removed, with its bytes' })
  @ApiConflictResponse({ description: 'The outcome can no longer be edited by its tester' })
  async remove(
    @CurrentActor() me: Actor,
    @UuidParam('id') id: string,
    @UuidParam('evidenceId') evidenceId: string,
  ): Promise<void> {
    await this.evidence.remove(me, id, evidenceId);
  }
}
