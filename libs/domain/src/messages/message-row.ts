import type { AnyMessageReceived } from './message-events';
import { receivedMessage } from './message-upcast';

/** A row of `messages`, as its projector writes it. */
export interface MessageRow {
  readonly tenant_id: string;
  readonly id: string;
  readonly type: string;
  /** Plain JSON text for the `json` column (a legacy, not yet sealed event's); null when sealed. */
  readonly data: string | null;
  /** The payload sealed with the tenant's data key (`hlp1.…`); null for a legacy plaintext one. */
  readonly sealed_data: string | null;
  readonly channels: readonly string[] | null;
  /** ISO-8601. */
  readonly timestamp: string;
  /** The event's `recorded_at`: the inline projection writes in the append's transaction, so both are its now(). */
  readonly received_at: string;
}

/**
 * The `messages` row a MessageReceived of any schema version projects to. `seq` is not here: a
 * rebuild cannot reproduce identity values the live table drew (rolled-back inserts leave gaps),
 * so the projector should take it from the event's global position. A version 1 event's `data` is
 * not the published text: the stream's MessagePayloadPreserved, later, gives the row its bytes.
 */
export function messageRow(event: AnyMessageReceived, recordedAt: string | Date): MessageRow {
  const { id, tenant_id, type, payload, sealed_payload, channels, timestamp } = receivedMessage(event);
  return {
    tenant_id, id, type, data: payload, sealed_data: sealed_payload, channels, timestamp,
    received_at: typeof recordedAt === 'string' ? recordedAt : recordedAt.toISOString(),
  };
}
