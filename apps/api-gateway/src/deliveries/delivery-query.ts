import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ROUTING_TOKEN } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';
import { DELIVERY_STATUSES, DeliveryStatus } from './delivery.resource';

export class DeliveryQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64)
  endpoint_id?: string;

  @ApiPropertyOptional({ description: 'Event ids are unique per tenant: a key across tenants adds tenant_id to name one tenant\'s event' })
  @IsOptional() @IsString() @MaxLength(256)
  event_id?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128)
  event_type?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES }) @IsOptional() @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional({ description: 'ISO-8601; deliveries created at or after' }) @IsOptional() @IsDateString({}, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; deliveries created before' }) @IsOptional() @IsDateString({}, { message: 'until must be an ISO-8601 date-time' })
  until?: string;
}
