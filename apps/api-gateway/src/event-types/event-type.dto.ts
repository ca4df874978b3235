import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EVENT_TYPE_NAME } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';


export class CreateEventTypeDto {
  @ApiProperty({ example: 'invoice.paid', maxLength: 128 })
  @IsString() @MaxLength(128) @Matches(EVENT_TYPE_NAME, { message: 'name must be dot-separated segments of letters, digits, _ or - (e.g. invoice.paid)' })
  name!: string;

  @ApiPropertyOptional({ example: 'An invoice was paid in full', maxLength: 500 })
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    description: 'JSON Schema (draft-07, or 2019-09/2020-12 when $schema says so) that the data of published events of this type must satisfy',
    type: 'object', additionalProperties: true,
    example: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } },
  })
  @IsOptional() @IsObject({ message: 'schema must be a JSON Schema object' })
  schema?: Record<string, unknown>;
}

export class UpdateEventTypeDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ description: 'A new JSON Schema; null removes it', type: 'object', additionalProperties: true, nullable: true })
  @IsOptional() @IsObject({ message: 'schema must be a JSON Schema object or null' })
  schema?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'true archives the type (as DELETE does); false restores an archived one' })
  @IsOptional() @IsBoolean({ message: 'archived must be true or false' })
  archived?: boolean;
}

export class EventTypeListQuery extends PageQuery {
  @ApiPropertyOptional({ default: false, description: 'Also list archived types' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'include_archived must be true or false' })
  include_archived?: boolean;
}

export class EventTypeResource {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) schema!: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true }) archived_at!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}
