import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsDateString, IsDefined, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested,
} from 'class-validator';
import { EVENT_TYPE_NAME, MESSAGE_ID, ROUTING_TOKEN } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';
import { DeliveryResource } from '../deliveries/delivery.resource';
import { IsHttpUrl } from '../http/is-http-url';


export class PublishEventDto {
  @ApiPropertyOptional({
    description: "Your id for the event, unique within your tenant: publishing the same id again is answered `duplicate: true` and not delivered again (another tenant's event with the same id is another event)",
    maxLength: 256, example: 'evt_2024_0001',
  })
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

/** Where an ad-hoc event goes instead of the subscribed endpoints. */
export class DestinationDto {
  @ApiProperty({ example: 'https://example.com/webhooks', maxLength: 2048 })
  @IsString({ message: 'destination.url must be a string' }) @MaxLength(2048, { message: 'destination.url must be at most 2048 characters' })
  @IsHttpUrl('destination.url')
  url!: string;
}

/** A single publish may name a destination (the batch route may not). */
export class PublishOneEventDto extends PublishEventDto {
  @ApiPropertyOptional({ type: DestinationDto, description: 'Deliver to this URL only, instead of the subscribed endpoints; the answer carries its signing secret, once' })
  @IsOptional() @IsObject({ message: 'destination must be an object with a url' }) @ValidateNested() @Type(() => DestinationDto)
  destination?: DestinationDto;
}

export class PublishBatchDto {
  @ApiProperty({ type: [PublishEventDto], maxItems: 500 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => PublishEventDto)
  events!: PublishEventDto[];
}

export class AcceptedEvent {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'When the event was accepted; for a duplicate, when the original was, once it is stored' }) timestamp!: string;
  @ApiProperty({
    description: 'True when your tenant already published an event with this id: nothing new was accepted and the original is delivered once. '
      + 'Answered with the same 202 as the first publish, so a retry never looks like an error.',
  })
  duplicate!: boolean;
}

export class AcceptedDestination {
  @ApiProperty({ description: 'The ad-hoc endpoint created for the destination; not listed under /v1/endpoints' }) endpoint_id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ description: 'Verifies the webhook signature. Shown only here.' }) secret!: string;
}

export class AcceptedEventWithDestination extends AcceptedEvent {
  @ApiPropertyOptional({ type: AcceptedDestination }) destination?: AcceptedDestination;
}

export class AcceptedBatch {
  @ApiProperty({ type: [AcceptedEvent] }) data!: AcceptedEvent[];
}

export class EventResource {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() timestamp!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'null once the payload was purged (retention or erasure): see purged_at' })
  data!: Record<string, unknown> | null;
  @ApiPropertyOptional({ description: 'When the payload was purged — its tenant\'s retention or an erasure destroyed the key it was sealed with; only on purged events' })
  purged_at?: string;
  @ApiProperty({ example: 'default', description: 'The tenant it belongs to' }) tenant_id!: string;
  @ApiProperty({ type: [String], nullable: true }) channels!: string[] | null;
  @ApiPropertyOptional({ description: 'The incoming-webhook source (src_…) whose verified request brought it; only on such events, and only in GET /v1/events/:id' }) source_id?: string;
  @ApiPropertyOptional({ type: [DeliveryResource] }) deliveries?: DeliveryResource[];
}

export class EventQuery {
  @ApiPropertyOptional({ description: 'The tenant whose event to read. Event ids are unique per tenant: a key across tenants names one when the id exists in several (409 otherwise)' })
  @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;
}

export class EventListQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'invoice.paid' }) @IsOptional() @IsString() @MaxLength(128)
  @Matches(EVENT_TYPE_NAME, { message: 'type must be an event type name (e.g. invoice.paid)' })
  type?: string;

  @ApiPropertyOptional() @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ description: 'Events published to this channel' })
  @IsOptional() @Matches(ROUTING_TOKEN, { message: 'channel must be 1–128 letters, digits, _ . : or -' })
  channel?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; events with a timestamp at or after' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; events with a timestamp before' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;
}
