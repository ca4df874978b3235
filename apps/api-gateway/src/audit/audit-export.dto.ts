import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class AuditExportQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson', description: 'ndjson (application/x-ndjson, what `npm run ledger:verify` checks) or csv (text/csv)' })
  @IsOptional() @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format?: ExportFormat;

  @ApiPropertyOptional({ description: "One tenant's events: changes made for it, its messages and their deliveries. A key bound to a tenant always exports its own (another → 403)." })
  @IsOptional() @IsString() @MaxLength(200)
  tenant_id?: string;

  @ApiPropertyOptional({ example: 'ep_01J…', description: "The endpoint's own stream and the streams of its deliveries" })
  @IsOptional() @IsString() @MaxLength(200)
  endpoint_id?: string;

  @ApiPropertyOptional({ example: 'DeliveryAttempted' })
  @IsOptional() @Matches(/^[A-Za-z][A-Za-z0-9]{0,99}$/, { message: 'event_type must be an event type such as DeliveryAttempted' })
  event_type?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; recorded at or after' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; recorded before' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;
}
