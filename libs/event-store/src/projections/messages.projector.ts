import { MessageEventType, messageRow, readMessageEvent } from '@hookledger/domain';
import type { Projector } from './projector';

// One statement per append batch (ingest appends hundreds of messages at once). `data` goes in as
// text and is cast to json, which keeps it byte for byte: the payload receivers get signed over.
// `seq` is the event's global position, so a rebuild gives every row the sequence number (and the
// API's cursors) it had live; an identity column would draw new values.
const INSERT_SQL = `
  INSERT INTO messages (seq, tenant_id, id, type, data, channels, timestamp, received_at)
  SELECT m.seq, m.tenant_id, m.id, m.type, m.data::json,
         CASE WHEN m.channels IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(m.channels)) END,
         m.timestamp, m.received_at
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[], $8::timestamptz[])
         AS m(seq, tenant_id, id, type, data, channels, timestamp, received_at)`;

/** `messages`, inline: the dispatcher reads a message's payload right after ingest appended it. */
export const messagesProjector: Projector = {
  name: 'messages',
  mode: 'inline',
  tables: ['messages'],
  handles: Object.values(MessageEventType),
  async apply(tx, events) {
    const columns: unknown[][] = [[], [], [], [], [], [], [], []];
    const [seq, tenant, id, type, data, channels, timestamp, receivedAt] = columns;
    for (const recorded of events) {
      const event = readMessageEvent(recorded);
      if (!event) continue;
      const row = messageRow(event, recorded.recordedAt);
      seq.push(recorded.globalPosition.toString());
      tenant.push(row.tenant_id);
      id.push(row.id);
      type.push(row.type);
      data.push(row.data);
      channels.push(row.channels ? JSON.stringify(row.channels) : null);
      timestamp.push(row.timestamp);
      receivedAt.push(row.received_at);
    }
    if (seq.length > 0) await tx.query(INSERT_SQL, columns);
  },
};
