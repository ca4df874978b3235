import type { AnyMessageReceived } from './message-events';
import { upcastMessageReceived } from './message-upcast';

/** A row of `messages`, as its projector writes it. */
export interface MessageRow {
  readonly tenant_id: string;
  readonly id: string;
  readonly type: string;
  /** JSON text for the `json` column, which keeps it byte for byte. */
  readonly data: string;
  readonly channels: readonly string[] | null;
  /** ISO-8601. */
  readonly timestamp: string;
  /** The event's `recorded_at`: the inline projection writes in the append's transaction, so both are its now(). */
  readonly received_at: string;
}

/**
 * The `messages` row a MessageReceived of either schema version projects to. `seq` is not here: a
 * rebuild cannot reproduce identity values the live table drew (rolled-back inserts leave gaps),
 * so the projector should take it from the event's global position. A version 1 event's `data` is
 * not the published text: the stream's MessagePayloadPreserved, later, gives the row its bytes.
 */
export function messageRow(event: AnyMessageReceived, recordedAt: string | Date): MessageRow {
  const { id, tenant_id, type, payload, channels, timestamp } = upcastMessageReceived(event).data;
  return {
    tenant_id, id, type, data: payload, channels, timestamp,
    received_at: typeof recordedAt === 'string' ? recordedAt : recordedAt.toISOString(),
  };
}
