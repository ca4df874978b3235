import type { EntityManager } from 'typeorm';
import {
  attemptResultOf, DeliveryEventType, EndpointEventType, EndpointHealth, foldAttempts, healthAfterEnable, healthAfterSystemDisable,
  healthyEndpoint, evolveEndpoint, initialEndpointState, readDeliveryEvent, readEndpointEvent,
} from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

/** An `endpoint_health` row: the endpoint's health, and whether it is active (an enable resets only a disabled endpoint). */
interface HealthRow extends EndpointHealth {
  readonly endpoint_id: string;
  readonly active: boolean;
  readonly updated_at: Date;
}

// A DeliveryAttempted before version 3 names its delivery, not its endpoint: the delivery's DeliveryScheduled does,
// and it is version 1 of every delivery stream (the decider schedules only an empty stream, and
// takes no other command before). Read from the store, not from `deliveries`, so a rebuild
// depends on no other projection's state; the unique (stream_id, stream_version) index finds each
// with one probe.
const ENDPOINTS_OF_DELIVERIES_SQL = `
  SELECT stream_id, data->>'endpoint_id' AS endpoint_id FROM events
   WHERE stream_id = ANY($1::text[]) AND stream_version = 1 AND type = $2`;

const ROWS_SQL = `
  SELECT endpoint_id, active, consecutive_failures, failing_since, last_success_at, last_failure_at, gone_at, updated_at
    FROM endpoint_health WHERE endpoint_id = ANY($1::text[])`;

// Every row the batch changed, in one statement whatever the batch holds: the rows of endpoints
// deleted go ($1), the others are written whole (the rest). The two sets never share an id.
const WRITE_SQL = `
  WITH deleted AS (DELETE FROM endpoint_health WHERE endpoint_id = ANY($1::text[]))
  INSERT INTO endpoint_health (endpoint_id, active, consecutive_failures, failing_since, last_success_at, last_failure_at, gone_at, updated_at)
  SELECT * FROM unnest($2::text[], $3::boolean[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])
  ON CONFLICT (endpoint_id) DO UPDATE
    SET active = EXCLUDED.active, consecutive_failures = EXCLUDED.consecutive_failures, failing_since = EXCLUDED.failing_since,
        last_success_at = EXCLUDED.last_success_at, last_failure_at = EXCLUDED.last_failure_at, gone_at = EXCLUDED.gone_at,
        updated_at = EXCLUDED.updated_at`;

/**
 * `endpoint_health`, async (caught up by the scheduler): each endpoint's failure streak and last
 * outcomes, folded from every DeliveryAttempted with the domain's rules, started afresh by an
 * enable and cleared of its 410 by the system's disable. It sees every attempt in the system, so
 * a batch costs one lookup of the attempts' endpoints, one read of the rows and one write.
 */
export const endpointHealthProjector: Projector = {
  name: 'endpoint-health',
  mode: 'async',
  tables: ['endpoint_health'],
  handles: [
    EndpointEventType.EndpointCreated, EndpointEventType.EndpointUpdated, EndpointEventType.EndpointEnabled,
    EndpointEventType.EndpointDisabled, EndpointEventType.EndpointDeleted, DeliveryEventType.DeliveryAttempted,
  ],
  async apply(tx, events) {
    const endpointOf = await endpointsOf(tx, events);
    const rows = await healthRows(tx, [...new Set(endpointOf.values())]);
    const changed = new Set<string>();
    for (const recorded of events) {
      const id = endpointOf.get(recorded);
      if (id === undefined) continue;
      const before = rows.get(id) ?? null;
      const after = evolveRow(before, id, recorded);
      if (after === before) continue;
      rows.set(id, after);
      changed.add(id);
    }
    if (changed.size > 0) await write(tx, [...changed].map((id) => [id, rows.get(id) ?? null]));
  },
};

/**
 * The endpoint each event is about: a version 3 attempt names it, an older one is looked up; older
 * attempts of deliveries the store has no DeliveryScheduled for are left out.
 */
async function endpointsOf(tx: EntityManager, events: readonly RecordedEvent[]): Promise<Map<RecordedEvent, string>> {
  const endpointOf = new Map<RecordedEvent, string>();
  const attempts: RecordedEvent[] = [];
  for (const recorded of events) {
    const attempt = readDeliveryEvent(recorded);
    if (attempt?.type === DeliveryEventType.DeliveryAttempted) {
      if (attempt.schema_version === 3) endpointOf.set(recorded, attempt.data.endpoint_id);
      else attempts.push(recorded);
    } else {
      const event = readEndpointEvent(recorded);
      if (event) endpointOf.set(recorded, event.data.id);
    }
  }
  if (attempts.length === 0) return endpointOf;
  const streams = [...new Set(attempts.map((recorded) => recorded.streamId))];
  const found: { stream_id: string; endpoint_id: string }[] = await tx.query(ENDPOINTS_OF_DELIVERIES_SQL, [streams, DeliveryEventType.DeliveryScheduled]);
  const endpointOfStream = new Map(found.map((row) => [row.stream_id, row.endpoint_id]));
  for (const recorded of attempts) {
    const id = endpointOfStream.get(recorded.streamId);
    if (id !== undefined) endpointOf.set(recorded, id);
  }
  return endpointOf;
}

async function healthRows(tx: EntityManager, endpointIds: readonly string[]): Promise<Map<string, HealthRow | null>> {
  if (endpointIds.length === 0) return new Map();
  const rows: HealthRow[] = await tx.query(ROWS_SQL, [endpointIds]);
  return new Map(rows.map((row) => [row.endpoint_id, row]));
}

/** The row after one event: the same object when the event changes nothing, null when the endpoint is gone. */
function evolveRow(row: HealthRow | null, endpointId: string, recorded: RecordedEvent): HealthRow | null {
  const event = readEndpointEvent(recorded);
  if (event?.type === EndpointEventType.EndpointCreated) {
    // `active` as the endpoints row has it, whatever the event's schema version.
    const { active } = evolveEndpoint(initialEndpointState, event);
    return { endpoint_id: endpointId, active, ...healthyEndpoint, updated_at: recorded.recordedAt };
  }
  if (row === null) return null; // deleted, or created before anything this table saw: there is no health to change
  const changed = (change: Partial<HealthRow>): HealthRow => ({ ...row, ...change, updated_at: recorded.recordedAt });
  const attempt = readDeliveryEvent(recorded);
  if (attempt?.type === DeliveryEventType.DeliveryAttempted) return changed(foldAttempts(row, [attemptResultOf(attempt.data)]));
  switch (event?.type) {
    case EndpointEventType.EndpointEnabled:
      return changed({ ...healthAfterEnable(row), active: true });
    case EndpointEventType.EndpointUpdated: {
      // PATCH used to record `active: true` whenever given, enabled or not: only a change of it enables.
      const { active } = event.data.changes;
      if (active === undefined || active === row.active) return row;
      return changed(active ? { ...healthAfterEnable(row), active } : { active });
    }
    case EndpointEventType.EndpointDisabled:
      return changed({ ...(event.data.by === 'system' ? healthAfterSystemDisable(row) : {}), active: false });
    case EndpointEventType.EndpointDeleted:
      return null;
    default:
      return row;
  }
}

async function write(tx: EntityManager, rows: readonly [string, HealthRow | null][]): Promise<void> {
  const kept = rows.flatMap(([, row]) => (row ? [row] : []));
  await tx.query(WRITE_SQL, [
    rows.filter(([, row]) => row === null).map(([id]) => id),
    kept.map((r) => r.endpoint_id), kept.map((r) => r.active), kept.map((r) => r.consecutive_failures), kept.map((r) => r.failing_since),
    kept.map((r) => r.last_success_at), kept.map((r) => r.last_failure_at), kept.map((r) => r.gone_at), kept.map((r) => r.updated_at),
  ]);
}
