import type { EntityManager } from 'typeorm';
import { ApiKeyEventType, readApiKeyEvent } from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

// Never the key nor its digest: those are sealed key material in api_key_digests, written by the
// handlers that mint keys. Who created a key is its event's actor; when, its recorded_at.
const CREATED_SQL = `
  INSERT INTO api_keys (id, name, role, tenant_id, prefix, rate_limit_per_s, created_by, created_at, expires_at, revoked_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`;
// A tenant's sweep and a revocation by name never both record one key (the decider refuses the
// second), but the guard on revoked_at keeps the first time if a store ever held both.
const REVOKED_SQL = `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`;

async function applyOne(tx: EntityManager, recorded: RecordedEvent): Promise<void> {
  const event = readApiKeyEvent(recorded);
  if (!event) return;
  switch (event.type) {
    case 'ApiKeyCreated': {
      const { id, name, role, tenant_id, prefix, rate_limit_per_s, expires_at } = event.data;
      const createdBy = typeof recorded.metadata.actor === 'string' ? recorded.metadata.actor : 'unknown';
      await tx.query(CREATED_SQL, [id, name, role, tenant_id, prefix, rate_limit_per_s, createdBy, recorded.recordedAt, expires_at]);
      return;
    }
    case 'ApiKeyRevoked':
      await tx.query(REVOKED_SQL, [event.data.id, recorded.recordedAt]);
      return;
  }
}

/**
 * `api_keys`, inline: a revoked key must stop working with the very next request. It keeps the
 * rows of portal tokens the API has forgotten (a day past expiry): readers filter them out (see
 * isForgottenPortalToken), so the table stays a pure function of the events.
 */
export const apiKeysProjector: Projector = {
  name: 'api-keys',
  mode: 'inline',
  tables: ['api_keys'],
  handles: Object.values(ApiKeyEventType),
  async apply(tx, events) {
    for (const event of events) await applyOne(tx, event);
  },
};
