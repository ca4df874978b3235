import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../http/pagination';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({
    example: 'endpoint-ep_01J…',
    description: 'One stream: endpoint-<id>, tenant-<id>, api-key-<id>, event-type-<name>, delivery-<id>, message-<tenant>/<id> (message-<id> for events received before ids were per tenant)',
  })
  @IsOptional() @IsString() @MaxLength(400)
  stream_id?: string;

  @ApiPropertyOptional({ example: 'EndpointUpdated' })
  @IsOptional() @Matches(/^[A-Za-z][A-Za-z0-9]{0,99}$/, { message: 'type must be an event type such as EndpointUpdated' })
  type?: string;

  @ApiPropertyOptional({ example: 'api-key:key_01J…', description: 'Who acted, as recorded in the metadata' })
  @IsOptional() @IsString() @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; recorded at or after' }) @IsOptional() @IsDateString({}, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; recorded before' }) @IsOptional() @IsDateString({}, { message: 'until must be an ISO-8601 date-time' })
  until?: string;
}

export class AuditEventResource {
  @ApiProperty({ description: 'Position in the whole ledger (a string: it can pass 2^53)' }) position!: string;
  @ApiProperty() stream_id!: string;
  @ApiProperty() stream_version!: number;
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'actor (api-key:<id>, system:<app>), tenant_id, causation and correlation ids' })
  metadata!: Record<string, unknown>;
  @ApiProperty() recorded_at!: string;
  @ApiProperty({ description: 'SHA-256 chaining this event to the one before it in its stream (hex)' }) hash!: string;
}

export class AuditStreamResource {
  @ApiProperty({ example: 'endpoint-ep_01J…' }) stream_id!: string;
  @ApiProperty({ example: 'endpoint' }) type!: string;
  @ApiProperty({ description: 'Events in the stream' }) version!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
  @ApiProperty({ description: 'Every event hashes to the one the next names, and the last is the head recorded at append time: nothing was changed, removed or inserted' })
  intact!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'The first version whose hash does not hold (or that is missing); null when intact' })
  first_broken_version!: number | null;
}
