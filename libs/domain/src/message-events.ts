import type { DomainEvent } from './domain-event';

export const MessageEventType = { MessageReceived: 'MessageReceived' } as const;
export type MessageEventType = (typeof MessageEventType)[keyof typeof MessageEventType];

export type MessageReceivedData = {
  id: string;
  type: string;
  /** ISO-8601 time the event was accepted. */
  timestamp: string;
  data: Record<string, unknown>;
  tenant_id: string | null;
  channels: string[] | null;
};
export type MessageReceived = DomainEvent<'MessageReceived', MessageReceivedData>;

/**
 * `message-<tenant>/<id>`: an event id is unique only within its tenant, so the stream names both.
 * Neither a tenant id nor an event id may contain `/` (ROUTING_TOKEN, MESSAGE_ID), so the first `/`
 * splits them unambiguously, and no stream of the old form `message-<id>` (written before ids were
 * per tenant, and still read as they are) contains one: old and new names never collide.
 */
export function messageStreamId(tenantId: string, messageId: string): string {
  return `message-${tenantId}/${messageId}`;
}

export function messageReceived(message: {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string | Date;
  readonly data: Record<string, unknown>;
  readonly tenant_id?: string | null;
  readonly channels?: readonly string[] | null;
}): MessageReceived {
  return {
    type: MessageEventType.MessageReceived,
    schema_version: 1,
    data: {
      id: message.id,
      type: message.type,
      timestamp: typeof message.timestamp === 'string' ? message.timestamp : message.timestamp.toISOString(),
      data: message.data,
      tenant_id: message.tenant_id ?? null,
      channels: message.channels && message.channels.length > 0 ? [...message.channels] : null,
    },
  };
}
