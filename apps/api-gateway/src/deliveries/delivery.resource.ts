import type { OpenedAttemptBody } from './attempt-bodies';
import { ApiProperty } from '@nestjs/swagger';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export class DeliveryResource {
  @ApiProperty({ example: 'dlv_01JD…' }) id!: string;
  @ApiProperty() event_id!: string;
  @ApiProperty() endpoint_id!: string;
  @ApiProperty() event_type!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ description: 'Attempts made so far' }) attempts!: number;
  @ApiProperty({ nullable: true, description: 'HTTP status of the last attempt' }) status_code!: number | null;
  @ApiProperty({ nullable: true, description: 'Error of the last attempt' }) error!: string | null;
  @ApiProperty({ nullable: true }) next_attempt_at!: string | null;
  @ApiProperty({ nullable: true }) delivered_at!: string | null;
  @ApiProperty() created_at!: string;
}

export class AttemptResource {
  @ApiProperty({ example: 'att_01JD…' }) id!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty({ enum: ['scheduled', 'manual'] }) trigger!: string;
  @ApiProperty() url!: string;
  @ApiProperty() started_at!: string;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ nullable: true }) status_code!: number | null;
  @ApiProperty({ description: 'Machine-readable outcome, e.g. http_2xx, http_5xx, timeout, connection_refused' }) outcome!: string;
  @ApiProperty({ nullable: true }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'First 4 KiB of the response body (stored sealed with the tenant\'s data key); null without an answer, or once purged' })
  response_body!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When retention or erasure destroyed the key the response body was sealed with; null while it is readable' })
  response_body_purged_at!: string | null;
}

export class RetryAcceptedResource {
  @ApiProperty({ example: 'dlv_01JD…' }) delivery_id!: string;
  @ApiProperty({ description: 'The attempt number the re-delivery will be recorded as' }) attempt!: number;
}

export interface RetryTargetRow {
  id: string;
  endpoint_id: string;
  attempts: number;
  version: number;
  endpoint_active: boolean;
  endpoint_paused: boolean;
  endpoint_deleted: boolean;
}

export interface DeliveryRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface AttemptRow {
  id: string;
  tenant_id: string | null;
  attempt: number;
  trigger: string;
  url: string;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  outcome: string;
  error: string | null;
  response_body: string | null;
  sealed_response_body: string | null;
}

export const toDeliveryResource = (row: DeliveryRow): DeliveryResource => ({
  id: row.id,
  event_id: row.message_id,
  endpoint_id: row.endpoint_id,
  event_type: row.event_type,
  status: row.status,
  attempts: row.attempts,
  status_code: row.last_status_code,
  error: row.last_error,
  next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
  delivered_at: row.delivered_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
});

export const toAttemptResource = (row: AttemptRow, body: OpenedAttemptBody): AttemptResource => ({
  id: row.id,
  attempt: row.attempt,
  trigger: row.trigger,
  url: row.url,
  started_at: row.started_at.toISOString(),
  duration_ms: row.duration_ms,
  status_code: row.status_code,
  outcome: row.outcome,
  error: row.error,
  response_body: body.text,
  response_body_purged_at: body.purged_at?.toISOString() ?? null,
});
