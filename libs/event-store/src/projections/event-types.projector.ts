import type { EntityManager } from 'typeorm';
import { EventTypeEventType, readEventTypeEvent } from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

// Timestamps are the events' recorded_at, never now(): a rebuild must write what the live
// projection wrote. `version` is the stream version, which the publish path caches compiled
// schemas by (two changes within one millisecond would share an updated_at).
const CREATED_SQL = `
  INSERT INTO event_types (name, description, schema, archived_at, created_at, updated_at, version)
  VALUES ($1, $2, $3, NULL, $4, $4, $5)`;
const UPDATED_SQL = `
  UPDATE event_types
     SET description = coalesce($2, description),
         schema = CASE WHEN $3::boolean THEN $4::jsonb ELSE schema END,
         updated_at = $5, version = $6
   WHERE name = $1`;
const ARCHIVED_SQL = `UPDATE event_types SET archived_at = $2, updated_at = $2, version = $3 WHERE name = $1`;
const RESTORED_SQL = `UPDATE event_types SET archived_at = NULL, updated_at = $2, version = $3 WHERE name = $1`;

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

async function applyOne(tx: EntityManager, recorded: RecordedEvent): Promise<void> {
  const event = readEventTypeEvent(recorded);
  if (!event) return;
  const at = recorded.recordedAt;
  const version = recorded.streamVersion;
  switch (event.type) {
    case 'EventTypeCreated':
      await tx.query(CREATED_SQL, [event.data.name, event.data.description, json(event.data.schema), at, version]);
      return;
    case 'EventTypeUpdated': {
      const { changes } = event.data;
      await tx.query(UPDATED_SQL, [event.data.name, changes.description ?? null, 'schema' in changes, json(changes.schema), at, version]);
      return;
    }
    case 'EventTypeArchived':
      await tx.query(ARCHIVED_SQL, [event.data.name, at, version]);
      return;
    case 'EventTypeRestored':
      await tx.query(RESTORED_SQL, [event.data.name, at, version]);
      return;
  }
}

/** The event catalog (`event_types`), inline: publishing checks schemas against it right after a change. */
export const eventTypesProjector: Projector = {
  name: 'event-types',
  mode: 'inline',
  tables: ['event_types'],
  handles: Object.values(EventTypeEventType),
  async apply(tx, events) {
    // The catalog changes a few times a day: one statement per event keeps it readable.
    for (const event of events) await applyOne(tx, event);
  },
};
