import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, Matches, MaxLength } from 'class-validator';
import { EVENT_TYPE_NAME, ROUTING_TOKEN } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';

export class EndpointQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true = enabled endpoints only, false = disabled ones only' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ example: 'invoice.paid', description: 'Endpoints that receive events of this type (by name or wildcard subscription)' })
  @IsOptional() @MaxLength(128) @Matches(EVENT_TYPE_NAME, { message: 'event_type must be an event type name (e.g. invoice.paid)' })
  event_type?: string;
}
