import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { EVENT_TYPE_NAME, MESSAGE_ID, ROUTING_TOKEN } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';
import { DeliveryResource } from '../deliveries/delivery.resource';


export class PublishEventDto {
  @ApiPropertyOptional({ description: 'Your id for the event; publishing the same id again is deduplicated', maxLength: 256, example: 'evt_2024_0001' })
  @IsOptional() @IsString() @Matches(MESSAGE_ID, { message: 'id must be 1–256 letters, digits, _ . : or -' })
  id?: string;

  @ApiProperty({ example: 'invoice.paid', maxLength: 128 })
  @IsString() @MaxLength(128) @Matches(EVENT_TYPE_NAME, { message: 'type must be dot-separated segments of letters, digits, _ or - (e.g. invoice.paid)' })
  type!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { invoice_id: 'in_123', amount: 4200 } })
  @IsDefined({ message: 'data is required' }) @IsObject({ message: 'data must be a JSON object' })
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional() @IsString() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @Matches(ROUTING_TOKEN, { each: true, message: 'each channel must be 1–128 letters, digits, _ . : or -' })
  channels?: string[];
}

export class PublishBatchDto {
  @ApiProperty({ type: [PublishEventDto], maxItems: 500 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => PublishEventDto)
  events!: PublishEventDto[];
}

export class AcceptedEvent {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() timestamp!: string;
}

export class AcceptedBatch {
  @ApiProperty({ type: [AcceptedEvent] }) data!: AcceptedEvent[];
}

export class EventResource {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() timestamp!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ nullable: true }) tenant_id!: string | null;
  @ApiProperty({ type: [String], nullable: true }) channels!: string[] | null;
  @ApiPropertyOptional({ type: [DeliveryResource] }) deliveries?: DeliveryResource[];
}

export class EventListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128)
  type?: string;
}
