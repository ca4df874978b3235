import type { EntityManager } from 'typeorm';
import { ReplayEventType, readReplayEvent, replayIdOfStream } from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

// Times are the events' recorded_at, never now(): a rebuild must write what the live projection
// wrote. created_by is the requester (the event's actor), as the API answered before replays were streams.
const REQUESTED_SQL = `
  INSERT INTO replays (id, endpoint_id, tenant_id, since, until, status, state, cursor, total, dispatched, created_by, created_at, updated_at, completed_at)
  VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, 'running', NULL, $7, 0, $8, $9, $9, NULL)`;
// The upgrade's record of a row as it stood: its own times, kept to the microsecond.
const RECORDED_SQL = `
  INSERT INTO replays (id, endpoint_id, tenant_id, since, until, status, state, cursor, total, dispatched, created_by, created_at, updated_at, completed_at)
  VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, $7, $8, $9, $10, $11, $12::timestamptz, $13::timestamptz, $14::timestamptz)`;
const PAGE_SQL = `UPDATE replays SET cursor = $2, dispatched = dispatched + $3, updated_at = $4 WHERE id = $1`;
const COMPLETED_SQL = `UPDATE replays SET state = 'completed', completed_at = $2, updated_at = $2 WHERE id = $1`;

async function applyOne(tx: EntityManager, recorded: RecordedEvent): Promise<void> {
  const event = readReplayEvent(recorded);
  if (!event) return;
  const id = replayIdOfStream(recorded.streamId);
  const at = recorded.recordedAt;
  switch (event.type) {
    case 'ReplayRequested': {
      const { endpoint_id, tenant_id, since, until, status, total } = event.data;
      await tx.query(REQUESTED_SQL, [id, endpoint_id, tenant_id, since, until, status, total, recorded.metadata.actor ?? null, at]);
      return;
    }
    case 'ReplayRecorded': {
      const r = event.data;
      await tx.query(RECORDED_SQL, [
        id, r.endpoint_id, r.tenant_id, r.since, r.until, r.status, r.state, r.cursor, r.total, r.dispatched, r.created_by, r.created_at, r.updated_at, r.completed_at,
      ]);
      return;
    }
    case 'ReplayPageDispatched':
      await tx.query(PAGE_SQL, [id, event.data.cursor, event.data.handled, at]);
      return;
    case 'ReplayCompleted':
      await tx.query(COMPLETED_SQL, [id, at]);
      return;
  }
}

/**
 * `replays`, inline: the API answers a replay's progress right after a request, and the
 * scheduler's runner claims running replays by their row (its lock keeps two schedulers apart).
 */
export const replaysProjector: Projector = {
  name: 'replays',
  mode: 'inline',
  tables: ['replays'],
  handles: Object.values(ReplayEventType),
  async apply(tx, events) {
    // A page of 200 deliveries is one event: one statement per event is few enough.
    for (const event of events) await applyOne(tx, event);
  },
};
