import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Access, AUDITORS, OwnedBy } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { decodeNumericCursor, Page, PageOf, toPage } from '../http/pagination';
import { notFound } from '../http/not-found';
import { AuditEventResource, AuditQuery, AuditStreamResource } from './audit.dto';

interface LedgerRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  hash: Buffer;
}

/**
 * The ledger as auditors read it: every event appended, newest first. A key bound to a tenant
 * sees the changes made for that tenant (its endpoints, keys and the tenant itself).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Access(AUDITORS)
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly db: DataSource) {}

  @Get('events')
  @ApiOperation({ summary: 'Ledger events, newest first, by stream, type, actor and time; the changes to endpoints, keys and tenants name who made them' })
  @ApiOkResponse({ type: PageOf(AuditEventResource) })
  async events(@Query() query: AuditQuery, @CurrentPrincipal() principal: Principal): Promise<Page<AuditEventResource>> {
    const limit = query.limit ?? 50;
    const rows: LedgerRow[] = await this.db.query(
      `SELECT global_position::text, stream_id, stream_version, type, data, metadata, recorded_at, hash FROM events
        WHERE ($1::bigint IS NULL OR global_position < $1)
          AND ($2::text IS NULL OR stream_id = $2)
          AND ($3::text IS NULL OR type = $3)
          AND ($4::text IS NULL OR metadata->>'actor' = $4)
          AND ($5::timestamptz IS NULL OR recorded_at >= $5)
          AND ($6::timestamptz IS NULL OR recorded_at < $6)
          AND ($7::text IS NULL OR (metadata ? 'tenant_id' AND metadata->>'tenant_id' = $7))
        ORDER BY global_position DESC LIMIT $8`,
      [decodeNumericCursor(query.cursor), query.stream_id ?? null, query.type ?? null, query.actor ?? null, query.since ?? null, query.until ?? null,
        principal.tenantId, limit + 1],
    );
    return toPage(rows, limit, (row) => row.global_position, (row) => ({
      position: row.global_position, stream_id: row.stream_id, stream_version: row.stream_version, type: row.type, data: row.data,
      metadata: row.metadata, recorded_at: row.recorded_at.toISOString(), hash: row.hash.toString('hex'),
    }));
  }

  @Get('streams/:stream_id')
  @OwnedBy('stream', 'stream_id')
  @ApiOperation({ summary: "A stream's head, with its hash chain checked from the first event to the last" })
  @ApiOkResponse({ type: AuditStreamResource })
  @ApiNotFoundResponse({ description: 'No such stream (or none the key may see)' })
  async stream(@Param('stream_id') streamId: string): Promise<AuditStreamResource> {
    const rows: { type: string; version: number; created_at: Date; updated_at: Date; broken: number | null }[] = await this.db.query(
      `SELECT type, version, created_at, updated_at, hl_verify_stream(stream_id) AS broken FROM streams WHERE stream_id = $1`,
      [streamId],
    );
    if (rows.length === 0) throw notFound('stream', streamId);
    const [row] = rows;
    return {
      stream_id: streamId, type: row.type, version: row.version, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
      intact: row.broken === null, first_broken_version: row.broken,
    };
  }
}
