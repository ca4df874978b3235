import {
  DEFAULT_TENANT, deliveredBy, deliveriesScheduledBy, DeliveryAttempted, DeliveryEventType, DeliveryRowChange, DeliveryScheduled, changeDeliveryRow,
  MessageEventType, readDeliveryEvent, readMessageEvent, unchangedDeliveryRow,
} from '@hookledger/domain';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

const STREAM_PREFIX = 'delivery-';

// New deliveries with no other event in the batch (all of ingest's): only what DeliveryScheduled, or
// the fan-out of a MessageReceived version 5, says.
const SCHEDULED_SQL = `
  INSERT INTO deliveries (id, message_id, endpoint_id, tenant_id, event_type, status, attempts, version, created_at, updated_at)
  SELECT d.id, d.message_id, d.endpoint_id, d.tenant_id, d.event_type, 'pending', 0, d.version, d.created_at, d.created_at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[])
         AS d(id, message_id, endpoint_id, tenant_id, event_type, version, created_at)`;

// New deliveries a rebuild batch holds more events of, with what those already did to them.
const INSERT_SQL = `
  INSERT INTO deliveries (id, message_id, endpoint_id, tenant_id, event_type, status, attempts, last_status_code, last_error,
                          next_attempt_at, due_at, delivered_at, version, created_at, updated_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[],
                       $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::int[], $14::timestamptz[], $15::timestamptz[])`;

// Attempts name their endpoint, tenant, message and event type through their delivery's row
// (inserted above when new in the batch). A version 1 attempt has no request and a plain body.
const ATTEMPTS_SQL = `
  INSERT INTO attempts (id, delivery_id, endpoint_id, tenant_id, message_id, event_type, attempt, trigger, url, started_at, duration_ms,
                        status_code, outcome, error, response_body, ledger_position, request_method, request_headers, body_sha256,
                        signature, sealed_response_body)
  SELECT a.id, a.delivery_id, d.endpoint_id, d.tenant_id, d.message_id, d.event_type, a.attempt, a.trigger, a.url, a.started_at, a.duration_ms,
         a.status_code, a.outcome, a.error, a.response_body, a.ledger_position, a.request_method, a.request_headers, a.body_sha256,
         a.signature, a.sealed_response_body
    FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[],
                $12::bigint[], $13::text[], $14::jsonb[], $15::text[], $16::jsonb[], $17::text[])
         AS a(id, delivery_id, attempt, trigger, url, started_at, duration_ms, status_code, outcome, error, response_body,
              ledger_position, request_method, request_headers, body_sha256, signature, sealed_response_body)
    JOIN deliveries d ON d.id = a.delivery_id`;

// Changes to existing rows, each column kept unless the batch's events set it (see DeliveryRowChange).
// delivered_at of a success whose attempt was recorded in an earlier batch (a rebuild's batch can
// split the two) is that attempt's start, as evolve has it.
const UPDATE_SQL = `
  UPDATE deliveries d
     SET status = coalesce(u.status, d.status),
         attempts = coalesce(u.attempts, d.attempts),
         last_status_code = CASE WHEN u.attempted THEN u.last_status_code ELSE d.last_status_code END,
         last_error = CASE WHEN u.attempted THEN u.last_error ELSE d.last_error END,
         next_attempt_at = CASE WHEN u.next_set THEN u.next_attempt_at ELSE d.next_attempt_at END,
         due_at = CASE u.due_set WHEN 'value' THEN u.due_at WHEN 'created' THEN d.created_at ELSE d.due_at END,
         delivered_at = coalesce(u.delivered_at,
                                 CASE WHEN u.delivered_by_attempt IS NOT NULL THEN
                                   (SELECT a.started_at FROM attempts a WHERE a.delivery_id = d.id AND a.attempt = u.delivered_by_attempt) END,
                                 d.delivered_at),
         version = u.version, updated_at = u.updated_at
    FROM unnest($1::text[], $2::text[], $3::int[], $4::boolean[], $5::int[], $6::text[], $7::boolean[], $8::timestamptz[], $9::text[],
                $10::timestamptz[], $11::timestamptz[], $12::int[], $13::int[], $14::timestamptz[])
         AS u(id, status, attempts, attempted, last_status_code, last_error, next_set, next_attempt_at, due_set,
              due_at, delivered_at, delivered_by_attempt, version, updated_at)
   WHERE d.id = u.id`;

// A delivery an attempt (version 3) delivered with no other event of it in the batch (all of the
// dispatcher's happy path): the row as a DeliveryAttempted that delivered leaves it (changeDeliveryRow).
const DELIVERED_SQL = `
  UPDATE deliveries d
     SET status = 'succeeded', attempts = u.attempt, last_status_code = u.status_code, last_error = u.error,
         next_attempt_at = NULL, due_at = NULL, delivered_at = u.started_at, version = u.version, updated_at = u.updated_at
    FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::timestamptz[])
         AS u(id, attempt, status_code, error, started_at, version, updated_at)
   WHERE d.id = u.id`;

type Lone<E> = { event: E; recorded: RecordedEvent };
/** A delivery's first fact: its DeliveryScheduled (version 1 of its stream), or its message's fan-out (before its stream's version 1). */
type Scheduled = { event: DeliveryScheduled; at: { version: number; recordedAt: string } };

/**
 * `deliveries` and their `attempts`, inline: the dispatcher loads a delivery's version and state
 * right after ingest or a requeue appended, and the API answers from them. Set-based: per append
 * batch at most one statement per kind of write, whatever the number of deliveries in it.
 */
export const deliveriesProjector: Projector = {
  name: 'deliveries',
  mode: 'inline',
  tables: ['deliveries', 'attempts'],
  // MessageReceived for the deliveries a version 5 records; earlier versions create none here.
  handles: [...Object.values(DeliveryEventType), MessageEventType.MessageReceived],
  async apply(tx, events) {
    // Ingest fans thousands of messages out at once, the dispatcher records hundreds of delivered
    // attempts: a delivery's only event in the batch takes a lean path, folded only when a later
    // event of the same delivery follows in the batch (a rebuild's).
    const scheduled = new Map<string, Scheduled>();
    const delivered = new Map<string, Lone<DeliveryAttempted>>();
    const changes = new Map<string, DeliveryRowChange>();
    const attempts: { delivery_id: string; position: bigint; event: DeliveryAttempted }[] = [];
    for (const recorded of events) {
      if (recorded.type === MessageEventType.MessageReceived) {
        const message = readMessageEvent(recorded);
        if (message?.type !== MessageEventType.MessageReceived) continue;
        // Its deliveries' streams are empty: the row stays at version 0 until their first event.
        const recordedAt = recorded.recordedAt.toISOString();
        for (const event of deliveriesScheduledBy(message)) scheduled.set(event.data.delivery_id, { event, at: { version: 0, recordedAt } });
        continue;
      }
      const event = readDeliveryEvent(recorded);
      if (!event) continue;
      const id = deliveryIdOf(recorded);
      if (event.type === 'DeliveryAttempted') attempts.push({ delivery_id: id, position: recorded.globalPosition, event });
      let before = changes.get(id);
      if (!before) {
        const first = scheduled.get(id);
        const lone = delivered.get(id);
        if (!first && !lone && event.type === 'DeliveryScheduled') {
          scheduled.set(id, { event, at: at(recorded) });
          continue;
        }
        if (!first && !lone && deliveredBy(event)) {
          delivered.set(id, { event: event as DeliveryAttempted, recorded });
          continue;
        }
        scheduled.delete(id);
        delivered.delete(id);
        before = unchangedDeliveryRow(id);
        if (first) before = changeDeliveryRow(before, first.event, first.at);
        if (lone) before = changeDeliveryRow(before, lone.event, at(lone.recorded));
      }
      changes.set(id, changeDeliveryRow(before, event, at(recorded)));
    }
    const all = [...changes.values()];
    const created = all.filter((change) => change.created_at !== null);
    const updated = all.filter((change) => change.created_at === null);
    if (scheduled.size > 0) await tx.query(SCHEDULED_SQL, scheduledParams([...scheduled.entries()]));
    if (created.length > 0) await tx.query(INSERT_SQL, insertParams(created));
    if (attempts.length > 0) await tx.query(ATTEMPTS_SQL, attemptParams(attempts));
    if (updated.length > 0) await tx.query(UPDATE_SQL, updateParams(updated));
    if (delivered.size > 0) await tx.query(DELIVERED_SQL, deliveredParams([...delivered.values()]));
  },
};

const deliveryIdOf = (event: RecordedEvent): string => event.streamId.slice(STREAM_PREFIX.length);
const at = (event: RecordedEvent) => ({ version: event.streamVersion, recordedAt: event.recordedAt.toISOString() });

function scheduledParams(rows: readonly [string, Scheduled][]): unknown[] {
  return [
    rows.map(([id]) => id), rows.map(([, r]) => r.event.data.message_id), rows.map(([, r]) => r.event.data.endpoint_id),
    // Scheduled before tenants existed: the tenancy migration gave those rows the default tenant.
    rows.map(([, r]) => r.event.data.tenant_id ?? DEFAULT_TENANT), rows.map(([, r]) => r.event.data.event_type),
    rows.map(([, r]) => r.at.version), rows.map(([, r]) => r.at.recordedAt),
  ];
}

function deliveredParams(rows: readonly Lone<DeliveryAttempted>[]): unknown[] {
  return [
    rows.map((r) => deliveryIdOf(r.recorded)), rows.map((r) => r.event.data.attempt), rows.map((r) => r.event.data.status_code),
    rows.map((r) => r.event.data.error), rows.map((r) => r.event.data.started_at), rows.map((r) => r.recorded.streamVersion),
    rows.map((r) => r.recorded.recordedAt),
  ];
}

function insertParams(rows: readonly DeliveryRowChange[]): unknown[] {
  return [
    rows.map((r) => r.delivery_id), rows.map((r) => r.message_id), rows.map((r) => r.endpoint_id), rows.map((r) => r.tenant_id),
    rows.map((r) => r.event_type), rows.map((r) => r.status), rows.map((r) => r.attempts), rows.map((r) => r.last_status_code),
    rows.map((r) => r.last_error), rows.map((r) => r.next_attempt_at.value),
    rows.map((r) => (r.due_at.set === 'created' ? r.created_at : r.due_at.value)), rows.map((r) => r.delivered_at),
    rows.map((r) => r.version), rows.map((r) => r.created_at), rows.map((r) => r.updated_at),
  ];
}

function updateParams(rows: readonly DeliveryRowChange[]): unknown[] {
  return [
    rows.map((r) => r.delivery_id), rows.map((r) => r.status), rows.map((r) => r.attempts), rows.map((r) => r.attempted),
    rows.map((r) => r.last_status_code), rows.map((r) => r.last_error), rows.map((r) => r.next_attempt_at.set),
    rows.map((r) => r.next_attempt_at.value), rows.map((r) => r.due_at.set), rows.map((r) => r.due_at.value),
    rows.map((r) => r.delivered_at), rows.map((r) => r.delivered_by_attempt), rows.map((r) => r.version), rows.map((r) => r.updated_at),
  ];
}

function attemptParams(rows: readonly { delivery_id: string; position: bigint; event: DeliveryAttempted }[]): unknown[] {
  const v2 = ({ event }: { event: DeliveryAttempted }) => (event.schema_version === 1 ? null : event.data);
  const json = (value: unknown) => (value == null ? null : JSON.stringify(value));
  return [
    rows.map((r) => r.event.data.attempt_id), rows.map((r) => r.delivery_id), rows.map((r) => r.event.data.attempt), rows.map((r) => r.event.data.trigger),
    rows.map((r) => r.event.data.url), rows.map((r) => r.event.data.started_at), rows.map((r) => r.event.data.duration_ms),
    rows.map((r) => r.event.data.status_code), rows.map((r) => r.event.data.outcome), rows.map((r) => r.event.data.error),
    rows.map((r) => (r.event.schema_version === 1 ? r.event.data.response_body ?? null : null)), rows.map((r) => r.position.toString()),
    rows.map((r) => v2(r)?.request.method ?? null), rows.map((r) => json(v2(r)?.request.headers)), rows.map((r) => v2(r)?.request.body_sha256 ?? null),
    // Versions 2 and 3 seal the body; a version 1 event sealed in place by migration 1732400000069 holds it sealed too.
    rows.map((r) => json(v2(r)?.request.signature)), rows.map((r) => r.event.data.sealed_response_body ?? null),
  ];
}
