import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ingestMessageId } from '@hookledger/contracts';
import { preparedQuery } from '@hookledger/event-store';
import type { CatalogEntry } from '../event-types/event-types.repository';
import type { EventQuota } from '../tenants/tenants.service';

/** What accepting events needs to read first, read in one round trip. */
export interface PublishLookup {
  /** Of the events' types, those the catalog checks (with a schema, or archived). */
  readonly catalog: Map<string, CatalogEntry>;
  /** The events' live tenants and their monthly quotas; a tenant missing here does not exist (or was deleted). */
  readonly quotas: Map<string, EventQuota>;
  /** Of the events with an id, those already stored, keyed by ingestMessageId: a publish of one again is a duplicate. */
  readonly stored: Map<string, { type: string; timestamp: Date }>;
}

type LookupRow =
  | { kind: 'catalog'; name: string; id: null; schema: Record<string, unknown> | null; archived: boolean; version: string; timestamp: null; text: null }
  | { kind: 'quota'; name: string; id: null; schema: null; archived: null; version: null; timestamp: null; text: string | null }
  | { kind: 'stored'; name: string; id: string; schema: null; archived: null; version: null; timestamp: Date; text: string };

/**
 * The event catalog, the tenants' quotas and the duplicates of a publish as one prepared statement:
 * each Postgres round trip costs the gateway more CPU than the rest of a single publish (the socket
 * writes and reads), and these three were read one after another on every publish. One statement
 * is one snapshot, too. The same reads as EventTypesRepository.catalogOf,
 * TenantsRepository.eventQuota and MessagesRepository.stored, tenant by tenant.
 */
@Injectable()
export class PublishLookups {
  constructor(private readonly db: DataSource) {}

  async lookup(events: readonly { readonly type: string; readonly tenant_id: string; readonly id?: string }[]): Promise<PublishLookup> {
    const types = [...new Set(events.map((event) => event.type))];
    const tenants = [...new Set(events.map((event) => event.tenant_id))];
    const withId = events.filter((event): event is typeof event & { id: string } => event.id !== undefined);
    const rows = await preparedQuery<LookupRow>(this.db, 'hl_publish_lookup', LOOKUP, [
      types, tenants, withId.map((event) => event.tenant_id), withId.map((event) => event.id),
    ]);
    const lookup: PublishLookup = { catalog: new Map(), quotas: new Map(), stored: new Map() };
    for (const row of rows) {
      if (row.kind === 'catalog') lookup.catalog.set(row.name, { name: row.name, schema: row.schema, archived: row.archived, version: row.version });
      else if (row.kind === 'quota') lookup.quotas.set(row.name, { max_events_per_month: row.text });
      else lookup.stored.set(ingestMessageId(row.name, row.id), { type: row.text, timestamp: row.timestamp });
    }
    return lookup;
  }
}

const LOOKUP = `
SELECT 'catalog' AS kind, name, NULL::text AS id, schema, archived_at IS NOT NULL AS archived, version::text AS version, NULL::timestamptz AS timestamp, NULL::text AS text
  FROM event_types WHERE name = ANY($1::text[]) AND (schema IS NOT NULL OR archived_at IS NOT NULL)
UNION ALL
SELECT 'quota', id, NULL, NULL, NULL, NULL, NULL, max_events_per_month::text
  FROM tenants WHERE id = ANY($2::text[]) AND deleted_at IS NULL
UNION ALL
SELECT 'stored', m.tenant_id, m.id, NULL, NULL, NULL, m.timestamp, m.type
  FROM unnest($3::text[], $4::text[]) AS e(tenant_id, id)
  JOIN messages m ON m.tenant_id = e.tenant_id AND m.id = e.id`;
