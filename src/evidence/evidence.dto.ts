import { ApiProperty } from '@nestjs/swagger';

import { EVIDENCE_KINDS, type Evidence, type EvidenceKind } from './evidence.entity.js';

/** The multipart body of an upload: one part named `file`. */
export class EvidenceUpload {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The file (its type is read from its content)' })
  file: unknown;
}

/** One file attached to a contact, as listed (the bytes are downloaded on their own). */
export class EvidenceView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) outcomeId: string;
  @ApiProperty({ enum: EVIDENCE_KINDS }) kind: EvidenceKind;
  @ApiProperty({ example: 'image/jpeg', description: 'As found in the content, never as the uploader named it' })
  contentType: string;
  @ApiProperty({ description: 'Size as stored, in bytes' }) bytes: number;
  @ApiProperty({ description: 'SHA-256 of the stored bytes (hex)' }) sha256: string;
  @ApiProperty({ example: 'ticket.jpg', description: "The uploader's name, cleaned, with the real type's extension" })
  fileName: string;
  @ApiProperty({
    description: 'True for images, re-encoded without EXIF, GPS, XMP or IPTC; PDFs and audio are kept as sent',
  })
  metadataStripped: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) uploadedBy: string | null;
  @ApiProperty() createdAt: Date;

  static of(this: void, e: Evidence): EvidenceView {
    const { organizationId: _org, storage: _storage, ...view } = e;
    return view;
  }
}

export class EvidencePage {
  @ApiProperty({ type: [EvidenceView] }) items: EvidenceView[];
  @ApiProperty() total: number;
}
