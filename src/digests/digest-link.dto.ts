import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length } from 'class-validator';

import { PageQuery } from '../common/pagination.js';
import { NormalizeEmail, Trim } from '../common/validation/transforms.js';
import type { DigestLink } from '../links/digest-link.entity.js';

export const DIGEST_LINK_STATES = ['open', 'expired', 'revoked'] as const;
export type DigestLinkState = (typeof DIGEST_LINK_STATES)[number];

export class RevokeDigestLinksDto {
  @ApiPropertyOptional({
    example: 'former.manager@example.org',
    description: "Only this recipient's links; else every link of the run",
  })
  @IsOptional()
  @NormalizeEmail()
  @IsEmail()
  recipient?: string;

  @ApiPropertyOptional({
    example: 'Forwarded outside the company',
    maxLength: 500,
    description: 'Kept with the revocation',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class IssueDigestLinksDto {
  @ApiPropertyOptional({
    example: 'quality@example.org',
    description: 'Only this recipient; else every current recipient of the subscription',
  })
  @IsOptional()
  @NormalizeEmail()
  @IsEmail()
  recipient?: string;
}

export class DigestLinksQuery extends PageQuery {}

/** A link as quality sees it: to whom, until when, and its revocation. Never its secret. */
export class DigestLinkView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'null: the one link shared by every recipient (runs sent before links were per recipient)',
  })
  recipient: string | null;
  @ApiProperty({ enum: DIGEST_LINK_STATES }) state: DigestLinkState;
  @ApiProperty() createdAt: Date;
  @ApiProperty() expiresAt: Date;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'Who re-issued it; null: the digest job sent it',
  })
  issuedBy: string | null;
  @ApiProperty({ nullable: true, type: Date }) revokedAt: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) revokedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) revokeReason: string | null;

  static of(link: DigestLink, now: Date): DigestLinkView {
    const state: DigestLinkState = link.revokedAt ? 'revoked' : now >= link.expiresAt ? 'expired' : 'open';
    return {
      id: link.id,
      recipient: link.recipient,
      state,
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
      issuedBy: link.issuedBy,
      revokedAt: link.revokedAt,
      revokedBy: link.revokedBy,
      revokeReason: link.revokeReason,
    };
  }
}

export class DigestLinkPage {
  @ApiProperty({ type: [DigestLinkView] }) items: DigestLinkView[];
  @ApiProperty() total: number;
}

export class RevokedDigestLinks extends DigestLinkPage {
  @ApiProperty({ description: 'Links revoked by this request (those revoked before are left as they were)' })
  revoked: number;
}
