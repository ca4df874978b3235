import { Controller, Get, HttpStatus, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ProblemException } from '@hookledger/observability';
import { Access, AUDITORS } from '../auth/access';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { notFound } from '../http/not-found';
import { AuditExportQuery } from './audit-export.dto';
import { DeliveryHistoryRepository } from './delivery-history.repository';
import { ExportFilters, LedgerExportService } from './ledger-export.service';

const CONTENT_TYPES = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8; header=present' } as const;

/** The ledger as a file an auditor keeps and checks offline (docs/ledger-export.md). */
@ApiTags('audit')
@ApiBearerAuth()
@Access(AUDITORS)
@Controller('v1/audit')
export class AuditExportController {
  constructor(private readonly exports: LedgerExportService, private readonly tenants: TenantScope, private readonly history: DeliveryHistoryRepository) {}

  @Get('export')
  @ApiOperation({ summary: 'The ledger (or a filtered part) up to the latest signed checkpoint, streamed in ledger order and ending with that checkpoint' })
  @ApiProduces(CONTENT_TYPES.ndjson, CONTENT_TYPES.csv)
  @ApiOkResponse({
    description: 'One record per event, interleaved checkpoints (whole-ledger exports), then the covering checkpoint with the export summary (docs/ledger-export.md)',
    content: {
      [CONTENT_TYPES.ndjson]: { schema: { type: 'string', description: 'One JSON object per line: events, {"checkpoint": …}, and last {"checkpoint": …, "export": {filters, events, complete}}' } },
      [CONTENT_TYPES.csv]: { schema: { type: 'string', description: 'RFC 4180 with a header row: record,position,stream_id,version,type,schema_version,recorded_at,data,metadata,prev_hash,hash' } },
    },
  })
  @ApiForbiddenResponse({ description: 'A key bound to a tenant asked for another tenant' })
  @ApiConflictResponse({ description: 'No checkpoint has been signed yet' })
  @ApiNotFoundResponse({ description: 'endpoint_id names no endpoint of the key\'s tenant (keys bound to a tenant)' })
  async export(@Query() query: AuditExportQuery, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const filters = definedOnly({
      tenant_id: this.tenants.listTenant(principal, query.tenant_id), endpoint_id: query.endpoint_id, event_type: query.event_type,
      since: query.since, until: query.until,
    });
    // As the delivery history answers it: another tenant's endpoint looks like no endpoint at all.
    if (principal.tenantId !== null && query.endpoint_id !== undefined && !(await this.history.endpointIsTenants(query.endpoint_id, principal.tenantId))) {
      throw notFound('endpoint', query.endpoint_id);
    }
    const covering = await this.exports.coveringCheckpoint();
    if (!covering) {
      throw new ProblemException(HttpStatus.CONFLICT, 'No signed checkpoint covers the ledger yet: the scheduler signs one within HOOKS_LEDGER_CHECKPOINT_INTERVAL; try again then.');
    }
    const format = query.format ?? 'ndjson';
    const scope = Object.keys(filters).length === 0 ? 'ledger' : 'export';
    response.status(HttpStatus.OK);
    response.setHeader('content-type', CONTENT_TYPES[format]);
    response.setHeader('content-disposition', `attachment; filename="hookledger-${scope}-checkpoint-${covering.seq}.${format}"`);
    response.setHeader('cache-control', 'no-store');
    await this.exports.write({ format, filters, covering }, response);
  }
}

function definedOnly(filters: { [K in keyof ExportFilters]: string | undefined }): ExportFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}
