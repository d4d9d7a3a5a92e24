import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';

import { PageQuery } from '../common/pagination.js';
import { IsSingleLine } from '../common/validation/domain.validators.js';
import { Trim } from '../common/validation/transforms.js';
import { Omittable } from '../common/validation/validate-dto.js';
import { CHANNELS } from '../touchpoints/touchpoint.entity.js';
import type { Channel } from '../touchpoints/touchpoint.entity.js';
import { channelsOutside } from './question-channels.js';
import { QUESTION_TYPES, Scenario } from './scenario.entity.js';
import type { QuestionType, ScenarioQuestion } from './scenario.entity.js';

/** `options` belong to choice questions only, and a choice question needs them. */
function OptionsOnlyForChoice() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'optionsOnlyForChoice',
      target: object.constructor,
      propertyName,
      options: { message: 'options are allowed only when type is choice' },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          (args.object as { type?: string }).type === 'choice' || value === undefined,
      },
    });
}

export class QuestionDto implements ScenarioQuestion {
  @ApiProperty({ example: 'offered_retention_deal', description: 'snake_case key, unique within the scenario' })
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, {
    message: 'key must be snake_case: a lower-case letter, then letters, digits or _, at most 50',
  })
  key: string;

  @ApiProperty({ example: 'Did the agent offer a reason to stay?', maxLength: 300 })
  @Trim()
  @IsString()
  @Length(1, 300)
  label: string;

  @ApiProperty({ enum: QUESTION_TYPES, description: 'yes_no, number, seconds, rating (1–5), choice, text' })
  @IsIn(QUESTION_TYPES, { message: `type must be one of: ${QUESTION_TYPES.join(', ')}` })
  type: QuestionType;

  @ApiPropertyOptional({ default: false })
  @Omittable()
  @IsBoolean()
  required: boolean = false;

  @ApiPropertyOptional({ type: [String], description: 'Choices, for type choice only (2 to 20, unique)' })
  @OptionsOnlyForChoice()
  @ValidateIf((o: QuestionDto) => o.type === 'choice' || o.options !== undefined)
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  options?: string[];

  @ApiPropertyOptional({
    enum: CHANNELS,
    isArray: true,
    example: ['in_person'],
    description:
      "Ask this question only of contacts through these channels (each one of the scenario's channels); " +
      'absent: every channel. An answer from another channel is refused with 400.',
  })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each value in channels must be one of: ${CHANNELS.join(', ')}` })
  channels?: Channel[];
}

/** Each question's channels are among the scenario's own: a question limited to others could never be asked. */
function QuestionChannelsWithinScenario() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'questionChannelsWithinScenario',
      target: object.constructor,
      propertyName,
      options: {
        message: (args: ValidationArguments) => {
          const { channels = [] } = args.object as { channels?: Channel[] };
          const bad = ((args.value as QuestionDto[]) ?? []).find((q) => channelsOutside(q, channels).length);
          const outside = bad ? channelsOutside(bad, channels).join(', ') : '';
          return `questions ${bad?.key}: channels ${outside} not among the scenario's channels (${channels.join(', ')})`;
        },
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const { channels } = args.object as { channels?: unknown };
          if (!Array.isArray(value) || !Array.isArray(channels)) return true;
          return value.every((q: QuestionDto) => !Array.isArray(q?.channels) || !channelsOutside(q, channels).length);
        },
      },
    });
}

export class CreateScenarioDto {
  @ApiProperty({ example: 'Port my number back', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  title: string;

  @ApiProperty({
    example: 'Say you moved away last year and want your old number back on a new contract.',
    maxLength: 5000,
  })
  @Trim()
  @IsString()
  @Length(1, 5000)
  brief: string;

  @ApiProperty({ enum: CHANNELS, isArray: true, example: ['phone', 'in_person'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each value in channels must be one of: ${CHANNELS.join(', ')}` })
  channels: Channel[];

  @ApiPropertyOptional({ type: [QuestionDto], description: 'Extra scorecard questions' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => QuestionDto)
  @ArrayUnique((q: QuestionDto) => q?.key, { message: 'questions must have unique keys' })
  @QuestionChannelsWithinScenario()
  questions?: QuestionDto[];
}

export class UpdateScenarioDto extends PartialType(CreateScenarioDto) {}

export class ScenariosQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CHANNELS, description: 'Only scenarios that fit this channel' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'Text search in title and brief', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ScenarioView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() brief: string;
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels: Channel[];
  @ApiProperty({ type: [QuestionDto] }) questions: ScenarioQuestion[];
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static of(this: void, s: Scenario): ScenarioView {
    const { id, title, brief, channels, questions, createdAt, updatedAt } = s;
    return { id, title, brief, channels, questions, createdAt, updatedAt };
  }
}

export class ScenarioPage {
  @ApiProperty({ type: [ScenarioView] }) items: ScenarioView[];
  @ApiProperty() total: number;
}
