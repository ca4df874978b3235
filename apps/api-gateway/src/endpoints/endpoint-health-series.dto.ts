import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_SERIES_BUCKETS = 24;
export const MAX_SERIES_BUCKETS = 96;
/** A month at most: the series reads the attempts of the range through their (endpoint_id, started_at) index. */
export const MAX_SERIES_RANGE_S = 31 * 86_400;

export class EndpointHealthSeriesQuery {
  @ApiPropertyOptional({ description: 'ISO-8601 start of the series; default until minus 24 h' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO-8601 end of the series (exclusive); default now' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SERIES_BUCKETS, default: DEFAULT_SERIES_BUCKETS, description: 'How many buckets to split the range into' })
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'buckets must be an integer' }) @Min(1, { message: 'buckets must be at least 1' }) @Max(MAX_SERIES_BUCKETS, { message: `buckets must be at most ${MAX_SERIES_BUCKETS}` })
  buckets?: number;
}

export class SeriesLatencyResource {
  @ApiProperty({ type: Number, nullable: true }) p50!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p95!: number | null;
}

export class HealthSeriesPointResource {
  @ApiProperty({ description: 'Start of the bucket (ISO-8601); it lasts bucket_seconds, the last one ends at until' }) start!: string;
  @ApiProperty({ description: 'Attempts started in the bucket' }) requests!: number;
  @ApiProperty() successes!: number;
  @ApiProperty() failures!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'successes / requests; null without requests' }) success_rate!: number | null;
  @ApiProperty({ type: SeriesLatencyResource, description: 'Attempt duration percentiles in milliseconds; null without requests' }) latency_ms!: SeriesLatencyResource;
}

export class EndpointHealthSeriesResource {
  @ApiProperty() endpoint_id!: string;
  @ApiProperty() since!: string;
  @ApiProperty() until!: string;
  @ApiProperty() bucket_seconds!: number;
  @ApiProperty({ type: [HealthSeriesPointResource] }) points!: HealthSeriesPointResource[];
}
