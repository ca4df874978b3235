import type { EntityManager } from 'typeorm';
import {
  advanceEndpointTimes, EndpointEventType, endpointRow, EndpointRowColumns, EndpointState, EndpointTimes, evolveEndpoint,
  initialEndpointState, readEndpointEvent,
} from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { EndpointRow } from './endpoint-projection';
import type { Projector } from './projector';

const COLUMNS = [
  'id', 'tenant_id', 'url', 'description', 'event_types', 'channels', 'active', 'disabled_reason', 'paused', 'headers', 'retry_schedule',
  'timeout_ms', 'rate_limit_per_s', 'metadata', 'auth', 'filter', 'payload_format', 'signature_profile', 'adhoc', 'signing_keys',
  'keys_issued', 'version', 'created_at', 'updated_at', 'deleted_at', 'enabled_at', 'circuit_state', 'circuit_opened_at', 'circuit_retry_at',
  'circuit_cooldown_s', 'circuit_probe_delivery_id', 'circuit_changed_at', 'type', 'provider', 'template',
] as const;
type Column = (typeof COLUMNS)[number];
const JSON_COLUMNS: ReadonlySet<Column> = new Set(['headers', 'metadata', 'auth', 'filter', 'signing_keys', 'provider']);

// INSERT for a new endpoint, UPDATE for the rest — never an upsert: INSERT … ON CONFLICT fires the
// BEFORE INSERT trigger of migration 1732400000016 before it finds the conflict, which would stamp
// a subscription index version on every change, routing or not, and make ingest reload for a URL.
const INSERT_SQL = `INSERT INTO endpoints (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
const UPDATE_SQL = `UPDATE endpoints SET ${COLUMNS.slice(1).map((column, i) => `${column} = $${i + 2}`).join(', ')} WHERE id = $1`;

interface Projected {
  state: EndpointState;
  times: EndpointTimes;
  version: number;
  keysIssued: number;
  /** Not yet in the table: this batch created it. */
  inserted: boolean;
}

/**
 * The `endpoints` table, inline (the API and the dispatcher must never read an endpoint stale).
 * Each endpoint's state is folded from its row and the batch's events with the domain's evolve,
 * and the row is written once per batch from `endpointRow`. Times are the events' recorded_at;
 * `version` the stream version of the last event, circuit transitions included, so it stays the
 * expected version of the next append.
 */
export const endpointsProjector: Projector = {
  name: 'endpoints',
  mode: 'inline',
  tables: ['endpoints'],
  handles: Object.values(EndpointEventType),
  async apply(tx, events) {
    const projected = new Map<string, Projected>();
    for (const recorded of events) await applyOne(tx, projected, recorded);
    for (const [id, endpoint] of projected) {
      const row = endpointRow(endpoint.state, endpoint.times, endpoint.version);
      if (!row) continue;
      const values = COLUMNS.map((column) => value(row, column, endpoint.keysIssued));
      await tx.query(endpoint.inserted ? INSERT_SQL : UPDATE_SQL, endpoint.inserted ? values : [id, ...values.slice(1)]);
    }
  },
};

async function applyOne(tx: EntityManager, projected: Map<string, Projected>, recorded: RecordedEvent): Promise<void> {
  const event = readEndpointEvent(recorded);
  if (!event) return;
  const id = (event.data as { id: string }).id;
  let current = projected.get(id) ?? (await fromRow(tx, id));
  if (event.type === EndpointEventType.EndpointCreated) {
    const state = evolveEndpoint(initialEndpointState, event);
    current = { state, times: advanceEndpointTimes(null, event, recorded.recordedAt, initialEndpointState, state), version: 0, keysIssued: 0, inserted: true };
  } else {
    if (!current) return; // a stream whose EndpointCreated this table never saw: nothing to change
    const state = evolveEndpoint(current.state, event);
    current = { ...current, state, times: advanceEndpointTimes(current.times, event, recorded.recordedAt, current.state, state) };
  }
  projected.set(id, { ...current, version: recorded.streamVersion, keysIssued: current.state.keys_issued });
}

async function fromRow(tx: EntityManager, id: string): Promise<Projected | undefined> {
  const [row]: (EndpointRow & { keys_issued: number })[] = await tx.query(`SELECT * FROM endpoints WHERE id = $1`, [id]);
  if (!row) return undefined;
  const state: EndpointState = {
    ...initialEndpointState,
    id: row.id, tenant_id: row.tenant_id, url: row.url, description: row.description, event_types: row.event_types, channels: row.channels,
    active: row.active, disabled_reason: row.disabled_reason, paused: row.paused, headers: row.headers, retry_schedule: row.retry_schedule,
    timeout_ms: row.timeout_ms, rate_limit_per_s: row.rate_limit_per_s, metadata: row.metadata, auth: row.auth, filter: row.filter,
    payload_format: row.payload_format, signature_profile: row.signature_profile, adhoc: row.adhoc, signing_keys: row.signing_keys,
    type: row.type, provider: row.provider, template: row.template, keys_issued: row.keys_issued, status: row.deleted_at ? 'deleted' : 'live',
    circuit: {
      state: row.circuit_state, opened_at: iso(row.circuit_opened_at), retry_at: iso(row.circuit_retry_at), cooldown_s: row.circuit_cooldown_s,
      probe_delivery_id: row.circuit_probe_delivery_id,
    },
  };
  const times = { created_at: row.created_at, updated_at: row.updated_at, deleted_at: row.deleted_at, enabled_at: row.enabled_at, circuit_changed_at: row.circuit_changed_at };
  return { state, times, version: row.version, keysIssued: row.keys_issued, inserted: false };
}

function iso(time: Date | null): string | null {
  return time === null ? null : time.toISOString();
}

function value(row: EndpointRowColumns, column: Column, keysIssued: number): unknown {
  if (column === 'keys_issued') return keysIssued;
  const field = row[column];
  return JSON_COLUMNS.has(column) ? (field === null ? null : JSON.stringify(field)) : field;
}
