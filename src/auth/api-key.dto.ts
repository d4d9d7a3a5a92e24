import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

import { Trim } from '../common/validation/transforms.js';
import type { ApiKey } from './api-key.entity.js';
import { ROLES } from './roles.js';
import type { Role } from './roles.js';

export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'laptop', maxLength: 100, description: 'A name to tell keys apart' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  label?: string;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() label: string;
  @ApiProperty({ description: 'The first characters of the key' }) prefix: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) revokedAt: Date | null;

  static of(this: void, k: ApiKey): ApiKeyView {
    return {
      id: k.id,
      label: k.label,
      prefix: k.prefix,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
      revokedAt: k.revokedAt,
    };
  }
}

export class IssuedApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() label: string;
  @ApiProperty() prefix: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ description: 'The whole key. Shown only in this answer; store it now.' }) key: string;
}

export class ApiKeyList {
  @ApiProperty({ type: [ApiKeyView] }) items: ApiKeyView[];
  @ApiProperty() total: number;
}

export class MeView {
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty() timezone: string;
}
