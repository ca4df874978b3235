import type { MessageSource } from './message-events';

/** Accept a published event: the id, tenant and timestamp are settled by the caller (ingest). */
export type ReceiveMessage = {
  type: 'ReceiveMessage';
  data: {
    id: string;
    type: string;
    /** ISO-8601. */
    timestamp: string;
    /** The `data` object as the exact JSON text to send: checked here, never stored. */
    payload: string;
    /** `payload` sealed with the tenant's data key by the caller (sealing is I/O: the domain only records it). */
    sealed_payload: string;
    tenant_id: string;
    channels: readonly string[] | null;
    /** The source (incoming webhook) that brought it, if one did. */
    source?: MessageSource | null;
  };
};

export type MessageCommand = ReceiveMessage;
