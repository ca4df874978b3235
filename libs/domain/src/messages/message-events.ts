import type { DomainEvent } from '../domain-event';

export const MessageEventType = { MessageReceived: 'MessageReceived', MessagePayloadPreserved: 'MessagePayloadPreserved' } as const;
export type MessageEventType = (typeof MessageEventType)[keyof typeof MessageEventType];

/** Stream type of `message-<tenant>/<id>` in the store's `streams` table. */
export const MESSAGE_STREAM_TYPE = 'message';

/**
 * An accepted event, schema_version 3: `sealed_payload` is the exact JSON text of its `data`
 * sealed with the tenant's data key of the day (libs/secrets TenantDataKeys, `hlp1.…`, context
 * {@link messagePayloadContext}). The store and `messages` hold only that ciphertext, which the
 * hash chains cover: retention and erasure destroy the key, never the event, so every chain and
 * checkpoint still verifies while the payload no longer opens anywhere (backups and exports too).
 */
export type MessageReceivedData = {
  id: string;
  type: string;
  /** ISO-8601 time the event was accepted. */
  timestamp: string;
  /** The event's `data` as JSON text, exactly as stored and sent, sealed (`hlp1.…`). */
  sealed_payload: string;
  tenant_id: string;
  channels: string[] | null;
};
export type MessageReceived = DomainEvent<'MessageReceived', MessageReceivedData, 3>;

/** Where a message came from when an incoming webhook (a source, `/in/:source_id`) brought it: the provider's own delivery id. */
export type MessageSource = { id: string; type: string; delivery_id: string };

/**
 * Schema_version 4: version 3 and the source whose verified request brought the message. Ingest
 * writes it only for messages that came through a source; every other message stays version 3,
 * whose shape is unchanged, so readers of either see the same received message.
 */
export type SourcedMessageReceivedData = MessageReceivedData & { source: MessageSource };
export type SourcedMessageReceived = DomainEvent<'MessageReceived', SourcedMessageReceivedData, 4>;

/** One delivery a message's fan-out created: its id and the endpoint it goes to. */
export type FannedOutDelivery = { delivery_id: string; endpoint_id: string };

/**
 * Schema_version 5 (issue 16): version 3 (or 4, with its source) and the deliveries its fan-out
 * created. Each entry is what a DeliveryScheduled on the delivery's own stream said before (the
 * message, its type and tenant are the message's own): ingest appends no DeliveryScheduled for
 * them, so a delivery's stream starts with its first attempt, deferral or requeue, at version 0
 * until then. Messages before it keep their DeliveryScheduled events, read as they always were.
 */
export type FannedOutMessageReceivedData = MessageReceivedData & { source?: MessageSource; deliveries: FannedOutDelivery[] };
export type FannedOutMessageReceived = DomainEvent<'MessageReceived', FannedOutMessageReceivedData, 5>;

/**
 * Schema_version 2, appended before payloads were sealed: `payload` is the exact JSON text in
 * plain text. Version 1 held `data` as a value, which the store keeps as jsonb: key order,
 * duplicate keys, whitespace and number spelling were lost. Both are legacy: migration
 * 1732400000069 seals their payloads in place (see docs/payload-encryption.md).
 */
export type MessageReceivedV2Data = {
  id: string;
  type: string;
  timestamp: string;
  /** The event's `data` object as JSON text, exactly as stored and sent. */
  payload: string;
  tenant_id: string;
  channels: string[] | null;
};
export type MessageReceivedV2 = DomainEvent<'MessageReceived', MessageReceivedV2Data, 2>;

/** Schema_version 1, appended before the payload was kept as text; still in the store, read through upcastMessageReceived. */
export type MessageReceivedV1Data = {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  /** null in events written before tenants existed: they belong to the default tenant. */
  tenant_id: string | null;
  channels: string[] | null;
};
export type MessageReceivedV1 = DomainEvent<'MessageReceived', MessageReceivedV1Data, 1>;

/** A MessageReceived of any schema version, as stored. */
export type AnyMessageReceived = FannedOutMessageReceived | SourcedMessageReceived | MessageReceived | MessageReceivedV2 | MessageReceivedV1;

/**
 * The exact published text of a message received under schema_version 1, recorded afterwards
 * (by migration 1732400000050) from its `messages` row, the one place that kept it byte for byte
 * (`data` is a json column). The v1 event itself cannot be corrected (the store is append-only and
 * hash-chained), so this later fact supersedes its re-serialised payload.
 */
export type MessagePayloadPreservedData = {
  id: string;
  tenant_id: string;
  /** The message's `data` as the exact JSON text of its row; migration 1732400000069 replaces it with `sealed_payload`. */
  payload?: string;
  /** That text sealed with the tenant's data key (`hlp1.…`, context messagePayloadContext), written by migration 1732400000069. */
  sealed_payload?: string;
  /**
   * ISO-8601 with the database's microseconds: the row's `received_at`. Ingest wrote it unrounded
   * beside v1 events, while a projector gets `recorded_at` as a Date (milliseconds), so without it
   * the rebuilt row would differ from the one it came from.
   */
  received_at: string;
};
export type MessagePayloadPreserved = DomainEvent<'MessagePayloadPreserved', MessagePayloadPreservedData>;

/** Every message event the store may hold, of any schema version. */
export type MessageEvent = AnyMessageReceived | MessagePayloadPreserved;

/**
 * `message-<tenant>/<id>`: an event id is unique only within its tenant, so the stream names both.
 * Neither a tenant id nor an event id may contain `/` (ROUTING_TOKEN, MESSAGE_ID), so the first `/`
 * splits them unambiguously, and no stream of the old form `message-<id>` (written before ids were
 * per tenant, and still read as they are) contains one: old and new names never collide.
 */
export function messageStreamId(tenantId: string, messageId: string): string {
  return `message-${tenantId}/${messageId}`;
}

/** Where a message's sealed payload belongs: the AAD that keeps a copy elsewhere from opening. */
export function messagePayloadContext(tenantId: string, messageId: string): string {
  return `message:${tenantId}/${messageId}`;
}

interface AcceptedMessage {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string | Date;
  readonly tenant_id: string;
  readonly channels?: readonly string[] | null;
}

const isoOf = (timestamp: string | Date): string => (typeof timestamp === 'string' ? timestamp : timestamp.toISOString());
const channelsOf = (channels: readonly string[] | null | undefined): string[] | null => (channels && channels.length > 0 ? [...channels] : null);

/** The event ingest appends for an accepted message: its payload text already sealed; version 4 when a source brought it. */
export function messageReceived(message: AcceptedMessage & { readonly sealed_payload: string; readonly source: MessageSource }): SourcedMessageReceived;
export function messageReceived(message: AcceptedMessage & { readonly sealed_payload: string; readonly source?: null }): MessageReceived;
export function messageReceived(message: AcceptedMessage & { readonly sealed_payload: string; readonly source?: MessageSource | null }): MessageReceived | SourcedMessageReceived;
export function messageReceived(message: AcceptedMessage & { readonly sealed_payload: string; readonly source?: MessageSource | null }): MessageReceived | SourcedMessageReceived {
  const received = unsourced(message);
  if (!message.source) return received;
  const { id, type, delivery_id } = message.source;
  return { ...received, schema_version: 4, data: { ...received.data, source: { id, type, delivery_id } } };
}

/** The event ingest appends since issue 16: the accepted message and the deliveries its fan-out created (version 5). */
export function fannedOutMessageReceived(
  message: AcceptedMessage & { readonly sealed_payload: string; readonly source?: MessageSource | null; readonly deliveries: readonly FannedOutDelivery[] },
): FannedOutMessageReceived {
  const received = messageReceived(message);
  return {
    type: MessageEventType.MessageReceived,
    schema_version: 5,
    data: { ...received.data, deliveries: message.deliveries.map(({ delivery_id, endpoint_id }) => ({ delivery_id, endpoint_id })) },
  };
}

function unsourced(message: AcceptedMessage & { readonly sealed_payload: string }): MessageReceived {
  return {
    type: MessageEventType.MessageReceived,
    schema_version: 3,
    data: {
      id: message.id,
      type: message.type,
      timestamp: isoOf(message.timestamp),
      sealed_payload: message.sealed_payload,
      tenant_id: message.tenant_id,
      channels: channelsOf(message.channels),
    },
  };
}

/**
 * A schema_version 2 event, with its payload in plain text, as ingest appended them before
 * payloads were sealed: for specs and migrations that recreate such a store. Give `payload`, the
 * JSON text; a caller holding only the parsed `data` gets `JSON.stringify(data)`.
 */
export function plaintextMessageReceived(
  message: AcceptedMessage & ({ readonly payload: string } | { readonly data: Record<string, unknown> }),
): MessageReceivedV2 {
  return {
    type: MessageEventType.MessageReceived,
    schema_version: 2,
    data: {
      id: message.id,
      type: message.type,
      timestamp: isoOf(message.timestamp),
      payload: 'payload' in message ? message.payload : JSON.stringify(message.data),
      tenant_id: message.tenant_id,
      channels: channelsOf(message.channels),
    },
  };
}

export function messagePayloadPreserved(data: Omit<MessagePayloadPreservedData, 'payload' | 'sealed_payload'> & { readonly payload: string }): MessagePayloadPreserved {
  return {
    type: MessageEventType.MessagePayloadPreserved,
    schema_version: 1,
    data: { id: data.id, tenant_id: data.tenant_id, payload: data.payload, received_at: data.received_at },
  };
}

const receivedVersion = (version: number | undefined): AnyMessageReceived['schema_version'] =>
  version === 1 || version === 3 || version === 4 || version === 5 ? version : 2;

/** A stored event as a message event (MessageReceived of any schema version, as stored), or null for a type this release does not know. */
export function readMessageEvent(stored: { readonly type: string; readonly schema_version?: number; readonly data: unknown }): MessageEvent | null {
  switch (stored.type) {
    case MessageEventType.MessageReceived:
      return { type: stored.type, schema_version: receivedVersion(stored.schema_version), data: stored.data } as AnyMessageReceived;
    case MessageEventType.MessagePayloadPreserved:
      return { type: stored.type, schema_version: 1, data: stored.data } as MessagePayloadPreserved;
    default:
      return null;
  }
}
