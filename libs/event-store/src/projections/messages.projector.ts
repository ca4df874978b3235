import { AnyMessageReceived, MessageEventType, MessagePayloadPreserved, messageRow, preservedPayload, readMessageEvent } from '@hookledger/domain';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event';
import type { Projector } from './projector';

// One statement per append batch (ingest appends hundreds of messages at once). The payload is
// sealed (`sealed_data`, schema_version 3); a legacy plaintext one (`data`) goes in as text and is
// cast to json, which keeps it byte for byte: the payload receivers get signed over.
// `seq` is the event's global position, so a rebuild gives every row the sequence number (and the
// API's cursors) it had live; an identity column would draw new values.
const INSERT_SQL = `
  INSERT INTO messages (seq, tenant_id, id, type, data, sealed_data, channels, timestamp, received_at)
  SELECT m.seq, m.tenant_id, m.id, m.type, m.data::json, m.sealed_data,
         CASE WHEN m.channels IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(m.channels)) END,
         m.timestamp, m.received_at
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::timestamptz[])
         AS m(seq, tenant_id, id, type, data, sealed_data, channels, timestamp, received_at)`;

// A version 1 MessageReceived projected its payload re-serialised and its time in milliseconds;
// the exact text (or, once migration 069 sealed it, its sealed form) and time recorded later replace them.
const PRESERVE_SQL = `
  UPDATE messages m SET data = p.payload::json, sealed_data = p.sealed_payload, received_at = p.received_at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS p(tenant_id, id, payload, sealed_payload, received_at)
   WHERE m.tenant_id = p.tenant_id AND m.id = p.id`;

/** `messages`, inline: the dispatcher reads a message's payload right after ingest appended it. */
export const messagesProjector: Projector = {
  name: 'messages',
  mode: 'inline',
  tables: ['messages'],
  handles: Object.values(MessageEventType),
  async apply(tx, events) {
    // Runs of one kind, written in store order: a payload is preserved for a message received before it.
    const received: ReceivedMessage[] = [];
    const preserved: MessagePayloadPreserved[] = [];
    for (const recorded of events) {
      const event = readMessageEvent(recorded);
      if (!event) continue;
      if (event.type === MessageEventType.MessagePayloadPreserved) {
        if (received.length > 0) await insert(tx, received.splice(0));
        preserved.push(event);
      } else {
        // Ingest's appends hold only received messages: no await per message on its hot path.
        if (preserved.length > 0) await preserve(tx, preserved.splice(0));
        received.push({ event, recorded });
      }
    }
    await insert(tx, received);
    await preserve(tx, preserved);
  },
};

interface ReceivedMessage {
  readonly event: AnyMessageReceived;
  readonly recorded: RecordedEvent;
}

async function insert(tx: EntityManager, received: readonly ReceivedMessage[]): Promise<void> {
  if (received.length === 0) return;
  const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
  const [seq, tenant, id, type, data, sealed, channels, timestamp, receivedAt] = columns;
  for (const { event, recorded } of received) {
    const row = messageRow(event, recorded.recordedAt);
    seq.push(recorded.globalPosition.toString());
    tenant.push(row.tenant_id);
    id.push(row.id);
    type.push(row.type);
    data.push(row.data);
    sealed.push(row.sealed_data);
    channels.push(row.channels ? JSON.stringify(row.channels) : null);
    timestamp.push(row.timestamp);
    receivedAt.push(row.received_at);
  }
  await tx.query(INSERT_SQL, columns);
}

async function preserve(tx: EntityManager, preserved: readonly MessagePayloadPreserved[]): Promise<void> {
  if (preserved.length === 0) return;
  const payloads = preserved.map((e) => preservedPayload(e.data));
  const columns = [
    preserved.map((e) => e.data.tenant_id), preserved.map((e) => e.data.id),
    payloads.map((p) => p.payload), payloads.map((p) => p.sealed_payload), preserved.map((e) => e.data.received_at),
  ];
  await tx.query(PRESERVE_SQL, columns);
}
