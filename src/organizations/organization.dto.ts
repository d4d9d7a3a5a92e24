import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

import { IsSingleLine } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import type { Organization } from './organization.entity.js';

export class UpdateOrganizationDto {
  @ApiProperty({ example: 'Northwind Mobile', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  name: string;
}

export class DeleteOrganizationQuery {
  @ApiProperty({ description: "The organization's exact name, to confirm that everything of it is to be deleted" })
  @IsString()
  @Length(1, 200)
  confirm: string;
}

export class OrganizationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(this: void, o: Organization): OrganizationView {
    return { id: o.id, name: o.name, createdAt: o.createdAt, updatedAt: o.updatedAt };
  }
}

export class OrganizationPage {
  @ApiProperty({ type: [OrganizationView] }) items: OrganizationView[];
  @ApiProperty() total: number;
}
