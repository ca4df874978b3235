import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DELIVERY_ERROR_CODES, ROUTING_TOKEN } from '@hookledger/domain';
import { PageQuery } from '../http/pagination';

/** The reason codes an attempt is recorded with (its `outcome`). */
export const ATTEMPT_REASONS = [
  'http_2xx', 'redirect_not_followed', 'gone', 'rate_limited', 'service_unavailable', 'http_4xx', 'http_5xx', 'invalid_status', 'provider_error', ...DELIVERY_ERROR_CODES,
] as const;
/** `succeeded` is a 2xx answer, `failed` anything else; or one reason code. */
export const OUTCOME_FILTERS = ['succeeded', 'failed', ...ATTEMPT_REASONS] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

export class DeliveryHistoryQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'A key bound to a tenant sees only its own; naming another is refused (403)' })
  @IsOptional() @Matches(ROUTING_TOKEN, { message: 'tenant_id must be 1–128 letters, digits, _ . : or -' })
  tenant_id?: string;

  @ApiPropertyOptional({ example: 'ep_01J…' }) @IsOptional() @IsString() @MaxLength(64)
  endpoint_id?: string;

  @ApiPropertyOptional({ example: 'invoice.paid' }) @IsOptional() @IsString() @MaxLength(128)
  event_type?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; attempts started at or after' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; attempts started before' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({
    enum: OUTCOME_FILTERS,
    description: '`succeeded` (a 2xx answer), `failed` (anything else), or one reason code such as `http_5xx` or `timeout`',
  })
  @IsOptional() @IsIn(OUTCOME_FILTERS, { message: `outcome must be one of ${OUTCOME_FILTERS.join(', ')}` })
  outcome?: OutcomeFilter;
}

export class HistoryLedgerResource {
  @ApiProperty({ description: 'Global position of the attempt\'s DeliveryAttempted event (a string: it can pass 2^53)' }) position!: string;
  @ApiProperty({ example: 'delivery-dlv_01J…' }) stream_id!: string;
  @ApiProperty({ description: 'The event\'s version in its stream' }) version!: number;
  @ApiProperty({ description: 'The event\'s chained SHA-256 (hex), as GET /v1/audit/events and the export give it' }) hash!: string;
}

export class HistorySignatureResource {
  @ApiProperty({ example: 'webhook-signature' }) header!: string;
  @ApiProperty({ example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }) value!: string;
}

export class HistoryRequestResource {
  @ApiProperty() url!: string;
  @ApiProperty({ type: String, nullable: true, example: 'POST', description: 'null for attempts recorded before the request was (schema_version 1)' })
  method!: string | null;
  @ApiProperty({
    type: 'object', additionalProperties: { type: 'string' }, nullable: true,
    description: 'Every header sent; credentials (authorization, credential-named headers, auth schemes, signing secrets) as "[redacted]"',
  })
  headers!: Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 (hex) of the exact body bytes sent' }) body_sha256!: string | null;
  @ApiProperty({ type: HistorySignatureResource, nullable: true }) signature!: HistorySignatureResource | null;
}

export class HistoryResponseResource {
  @ApiProperty({ type: Number, nullable: true }) status_code!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty() started_at!: string;
  @ApiProperty({ enum: ATTEMPT_REASONS, description: 'The attempt\'s reason code' }) outcome!: string;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first 4 KiB of the answer; null without one, or once purged' }) body_excerpt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When retention or erasure destroyed the key the body was sealed with' }) body_purged_at!: string | null;
}

export class DeliveryHistoryResource {
  @ApiProperty({ example: 'att_01J…' }) attempt_id!: string;
  @ApiProperty({ example: 'dlv_01J…' }) delivery_id!: string;
  @ApiProperty({ example: 'msg_01J…' }) message_id!: string;
  @ApiProperty({ example: 'ep_01J…' }) endpoint_id!: string;
  @ApiProperty() tenant_id!: string;
  @ApiProperty({ example: 'invoice.paid' }) event_type!: string;
  @ApiProperty({ description: '1-based, counting every attempt of the delivery' }) attempt!: number;
  @ApiProperty({ enum: ['scheduled', 'manual'] }) trigger!: string;
  @ApiProperty({ type: HistoryLedgerResource }) ledger!: HistoryLedgerResource;
  @ApiProperty({ type: HistoryRequestResource }) request!: HistoryRequestResource;
  @ApiProperty({ type: HistoryResponseResource }) response!: HistoryResponseResource;
}
