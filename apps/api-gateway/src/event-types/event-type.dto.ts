import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EVENT_TYPE_NAME } from '@hookledger/domain';


export class CreateEventTypeDto {
  @ApiProperty({ example: 'invoice.paid', maxLength: 128 })
  @IsString() @MaxLength(128) @Matches(EVENT_TYPE_NAME, { message: 'name must be dot-separated segments of letters, digits, _ or - (e.g. invoice.paid)' })
  name!: string;

  @ApiPropertyOptional({ example: 'An invoice was paid in full', maxLength: 500 })
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ description: 'JSON Schema that the data of published events of this type must satisfy', type: 'object', additionalProperties: true })
  @IsOptional() @IsObject()
  schema?: Record<string, unknown>;
}

export class EventTypeResource {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) schema!: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true }) archived_at!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}
