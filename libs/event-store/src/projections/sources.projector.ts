import type { EntityManager } from 'typeorm';
import { keysAfterRotation, readSourceEvent, SourceEventType, SourceKeyReference } from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

// Times are the events' recorded_at and versions their stream versions: a rebuild writes what the live projection wrote.
const CREATED_SQL = `
  INSERT INTO sources (id, tenant_id, type, name, signing_keys, created_at, updated_at, deleted_at, version)
  VALUES ($1, $2, $3, $4, $5, $6, $6, NULL, $7)`;
const UPDATED_SQL = `UPDATE sources SET name = coalesce($2, name), updated_at = $3, version = $4 WHERE id = $1`;
const KEYS_SQL = `SELECT signing_keys FROM sources WHERE id = $1`;
const ROTATED_SQL = `UPDATE sources SET signing_keys = $2, updated_at = $3, version = $4 WHERE id = $1`;
const DELETED_SQL = `UPDATE sources SET deleted_at = $2, updated_at = $2, version = $3 WHERE id = $1`;

async function applyOne(tx: EntityManager, recorded: RecordedEvent): Promise<void> {
  const event = readSourceEvent(recorded);
  if (!event) return;
  const at = recorded.recordedAt;
  const version = recorded.streamVersion;
  switch (event.type) {
    case 'SourceCreated': {
      const { source_id, tenant_id, type, name, secret_key_id } = event.data;
      await tx.query(CREATED_SQL, [source_id, tenant_id, type, name, JSON.stringify([{ key_id: secret_key_id, expires_at: null }]), at, version]);
      return;
    }
    case 'SourceUpdated':
      await tx.query(UPDATED_SQL, [event.data.source_id, event.data.changes.name ?? null, at, version]);
      return;
    case 'SourceSecretRotated': {
      const [row]: { signing_keys: SourceKeyReference[] }[] = await tx.query(KEYS_SQL, [event.data.source_id]);
      if (!row) return;
      await tx.query(ROTATED_SQL, [event.data.source_id, JSON.stringify(keysAfterRotation(row.signing_keys, event.data.secret_key_id, event.data)), at, version]);
      return;
    }
    case 'SourceDeleted':
      await tx.query(DELETED_SQL, [event.data.source_id, at, version]);
      return;
  }
}

/** Incoming-webhook sources (`sources`), inline: the ingress and the API read a change right after it. */
export const sourcesProjector: Projector = {
  name: 'sources',
  mode: 'inline',
  tables: ['sources'],
  handles: Object.values(SourceEventType),
  async apply(tx, events) {
    // Sources change a few times a month: one statement per event keeps it readable.
    for (const event of events) await applyOne(tx, event);
  },
};
