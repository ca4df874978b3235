import type { EntityManager } from 'typeorm';
import { readTenantEvent, TenantEventType } from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

// Times are the events' recorded_at, never now(): a rebuild must write what the live projection
// wrote. TenantRecorded (the default tenant, taken over by the ledger on upgrade) says everything
// and wins over whatever came before it in its stream, including a row from earlier PATCHes.
const CREATED_SQL = `
  INSERT INTO tenants (id, name, metadata, max_endpoints, max_events_per_month, payload_retention_days, branding, created_at, updated_at, deleted_at)
  VALUES ($1, $2, $3, $4, $5, $8, $9, $6, $7, NULL)
  ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, metadata = EXCLUDED.metadata, max_endpoints = EXCLUDED.max_endpoints,
    max_events_per_month = EXCLUDED.max_events_per_month, payload_retention_days = EXCLUDED.payload_retention_days,
    branding = EXCLUDED.branding, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, deleted_at = NULL`;
// A PATCH names only what changes, and null lifts a quota: "named" is the key's presence in $2.
// Branding is merged field by field; a field named null is cleared (dropped from the object).
const UPDATED_SQL = `
  UPDATE tenants
     SET name = CASE WHEN $2::jsonb ? 'name' THEN $2::jsonb->>'name' ELSE name END,
         metadata = CASE WHEN $2::jsonb ? 'metadata' THEN $2::jsonb->'metadata' ELSE metadata END,
         max_endpoints = CASE WHEN $2::jsonb ? 'max_endpoints' THEN ($2::jsonb->>'max_endpoints')::integer ELSE max_endpoints END,
         max_events_per_month = CASE WHEN $2::jsonb ? 'max_events_per_month' THEN ($2::jsonb->>'max_events_per_month')::bigint ELSE max_events_per_month END,
         payload_retention_days = CASE WHEN $2::jsonb ? 'payload_retention_days' THEN ($2::jsonb->>'payload_retention_days')::integer ELSE payload_retention_days END,
         branding = CASE WHEN $2::jsonb ? 'branding' THEN jsonb_strip_nulls(branding || ($2::jsonb->'branding')) ELSE branding END,
         updated_at = $3
   WHERE id = $1`;
const DELETED_SQL = `UPDATE tenants SET deleted_at = $2, updated_at = $2 WHERE id = $1`;
// An erasure changes no setting of the tenant: updated_at stays, erased_at says when the last one was.
const ERASED_SQL = `UPDATE tenants SET erased_at = $2 WHERE id = $1`;

async function applyOne(tx: EntityManager, recorded: RecordedEvent): Promise<void> {
  const event = readTenantEvent(recorded);
  if (!event) return;
  const at = recorded.recordedAt;
  switch (event.type) {
    case 'TenantCreated':
    case 'TenantRecorded': {
      const { id, name, metadata, max_endpoints, max_events_per_month, payload_retention_days, branding } = event.data;
      const createdAt = event.type === 'TenantRecorded' ? event.data.created_at : at;
      await tx.query(CREATED_SQL, [
        id, name, JSON.stringify(metadata), max_endpoints, max_events_per_month, createdAt, at, payload_retention_days ?? null, JSON.stringify(branding ?? {}),
      ]);
      return;
    }
    case 'TenantUpdated':
      await tx.query(UPDATED_SQL, [event.data.id, JSON.stringify(event.data.changes), at]);
      return;
    case 'TenantDeleted':
      await tx.query(DELETED_SQL, [event.data.id, at]);
      return;
    case 'TenantErased':
      await tx.query(ERASED_SQL, [event.data.id, at]);
      return;
    case 'TenantPayloadsPurged':
      // The keys table is the record of what no longer opens; the tenant row does not change.
      return;
  }
}

/**
 * `tenants`, inline: the guard, publish admission and endpoint creation read it right after a
 * change (a deleted tenant's keys must stop working at once). What a tenant uses is not here:
 * `tenant_usage` is operational state with its own writer (publish admission).
 */
export const tenantsProjector: Projector = {
  name: 'tenants',
  mode: 'inline',
  tables: ['tenants'],
  handles: Object.values(TenantEventType),
  async apply(tx, events) {
    for (const event of events) await applyOne(tx, event);
  },
};
