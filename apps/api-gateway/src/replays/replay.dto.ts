import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { REPLAY_STATUS_FILTERS, ReplayRow, ReplayStatusFilter } from '@hookledger/event-store';
import { PageQuery } from '../http/pagination';

export class CreateReplayDto {
  @ApiProperty({ example: '2025-01-01T00:00:00Z', description: 'ISO-8601; deliveries created at or after' })
  @IsDateString({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since!: string;

  @ApiPropertyOptional({ description: 'ISO-8601, after since; deliveries created before. Default: the time of the request' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ enum: REPLAY_STATUS_FILTERS, default: 'failed', description: 'Which deliveries to send again; all = whatever their status' })
  @IsOptional() @IsIn(REPLAY_STATUS_FILTERS, { message: `status must be one of ${REPLAY_STATUS_FILTERS.join(', ')}` })
  status?: ReplayStatusFilter;
}

export const REPLAY_STATES = ['running', 'completed'] as const;

export class ReplayQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64)
  endpoint_id?: string;

  @ApiPropertyOptional({ enum: REPLAY_STATES }) @IsOptional() @IsIn(REPLAY_STATES, { message: `state must be one of ${REPLAY_STATES.join(', ')}` })
  state?: (typeof REPLAY_STATES)[number];
}

export class ReplayResource {
  @ApiProperty({ example: 'rpl_01JD…' }) id!: string;
  @ApiProperty() endpoint_id!: string;
  @ApiProperty() since!: string;
  @ApiProperty({ description: 'End of the range (exclusive); the creation time when none was given' }) until!: string;
  @ApiProperty({ enum: REPLAY_STATUS_FILTERS }) status!: ReplayStatusFilter;
  @ApiProperty({ enum: REPLAY_STATES }) state!: 'running' | 'completed';
  @ApiProperty({ description: 'Deliveries matching when the replay was created' }) total!: number;
  @ApiProperty({ description: 'Deliveries sent again so far' }) dispatched!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true }) completed_at!: string | null;
}

export const toReplayResource = (row: ReplayRow): ReplayResource => ({
  id: row.id,
  endpoint_id: row.endpoint_id,
  since: row.since.toISOString(),
  until: row.until.toISOString(),
  status: row.status,
  state: row.state,
  total: row.total,
  dispatched: row.dispatched,
  created_at: row.created_at.toISOString(),
  completed_at: row.completed_at?.toISOString() ?? null,
});
