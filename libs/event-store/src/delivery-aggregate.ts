import type { EntityManager } from 'typeorm';
import {
  DeliveryCommand, deliveryDecider, DeliveryEvent, DeliveryEventType, deliveriesScheduledBy, DeliveryState, MessageEventType, readDeliveryEvent,
  readMessageEvent,
} from '@hookledger/domain';
import type { Aggregate } from './aggregate-repository';
import type { RecordedEvent } from './event';

const STREAM_PREFIX = 'delivery-';

// A delivery fanned out by a MessageReceived version 5 has no DeliveryScheduled on its stream: the
// message's stream (named by the delivery's row) holds its schedule, as version 1 of it. One probe
// of the deliveries primary key and one of the events' unique (stream_id, stream_version).
const MESSAGE_OF_DELIVERY_SQL = `
  SELECT e.type, e.schema_version, e.data FROM deliveries d
    JOIN events e ON e.stream_id = 'message-' || d.tenant_id || '/' || d.message_id AND e.stream_version = 1
   WHERE d.id = $1 AND e.type = $2`;

/** The delivery's schedule, from its message's fan-out when its own stream does not begin with one. */
async function scheduleOf(tx: EntityManager, streamId: string, stored: readonly RecordedEvent[]): Promise<readonly DeliveryEvent[]> {
  if (stored[0]?.type === DeliveryEventType.DeliveryScheduled) return [];
  const deliveryId = streamId.slice(STREAM_PREFIX.length);
  const rows: { type: string; schema_version: number; data: unknown }[] = await tx.query(MESSAGE_OF_DELIVERY_SQL, [deliveryId, MessageEventType.MessageReceived]);
  const message = rows[0] ? readMessageEvent(rows[0]) : null;
  if (message?.type !== MessageEventType.MessageReceived) return [];
  return deliveriesScheduledBy(message).filter((event) => event.data.delivery_id === deliveryId);
}

/**
 * How the store runs a delivery's commands: its stream type, its rules, its reader of stored
 * events, and where its schedule is when its message recorded it. Shared by the API's manual retry
 * and the scheduler's replay runner, so both requeue by the same rules.
 */
export const deliveryAggregate: Aggregate<DeliveryCommand, DeliveryState, DeliveryEvent> = {
  streamType: 'delivery',
  decider: deliveryDecider,
  read: readDeliveryEvent,
  origin: scheduleOf,
};
