import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import type { Topology } from '@hookledger/contracts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** JetStream durations are nanoseconds. */
const nanos = (millis: number) => millis * 1_000_000;

export type StreamDefinition = Pick<StreamConfig, 'name' | 'description' | 'subjects' | 'retention' | 'storage' | 'duplicate_window' | 'max_age'>;

export interface ConsumerDefinition {
  readonly stream: string;
  readonly config: Pick<ConsumerConfig, 'durable_name' | 'description' | 'ack_policy' | 'deliver_policy' | 'filter_subject' | 'ack_wait' | 'max_deliver' | 'max_ack_pending'> & { durable_name: string };
}

/** The streams every Hookledger process relies on, derived from the namespace. */
export function streamDefinitions(topology: Topology): StreamDefinition[] {
  return [
    {
      name: topology.streams.commands,
      description: 'Hookledger commands: ingest and dispatch (work queue)',
      subjects: [topology.subjects.ingest, topology.subjects.dispatch],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(10 * MINUTE),
      max_age: 0,
    },
    {
      name: topology.streams.inbound,
      description: 'Events published by internal services (work queue)',
      subjects: [topology.subjects.inbound],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(10 * MINUTE),
      max_age: 0,
    },
    {
      name: topology.streams.events,
      description: "Hookledger's domain events for internal consumers",
      subjects: [topology.subjects.events],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(2 * MINUTE),
      max_age: nanos(7 * DAY),
    },
  ];
}

/**
 * Durable pull consumers shared by every instance of an app. max_deliver is unlimited: a poison
 * message is term()'d (and logged) by its handler rather than silently dropped by a counter.
 */
export function consumerDefinitions(topology: Topology): ConsumerDefinition[] {
  const common = { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_deliver: -1, max_ack_pending: 20_000 } as const;
  return [
    {
      stream: topology.streams.commands,
      config: { ...common, durable_name: topology.consumers.ingest, description: 'ingest: accepts events', filter_subject: topology.subjects.ingest, ack_wait: nanos(30_000) },
    },
    {
      // No filter: the stream holds nothing but `<ns>.in.>`.
      stream: topology.streams.inbound,
      config: { ...common, durable_name: topology.consumers.inbound, description: 'ingest: events from internal services', ack_wait: nanos(30_000) },
    },
    {
      stream: topology.streams.commands,
      config: { ...common, durable_name: topology.consumers.dispatcher, description: 'dispatcher: HTTP deliveries', filter_subject: topology.subjects.dispatch, ack_wait: nanos(60_000) },
    },
    {
      // From its creation on, not the stream's start: the week of events a system already holds is
      // not sent out as webhooks on the day the consumer first appears.
      stream: topology.streams.events,
      config: {
        ...common, deliver_policy: DeliverPolicy.New, durable_name: topology.consumers.operationalWebhooks,
        description: 'ingest: operational events forwarded as hookledger.* webhooks', ack_wait: nanos(30_000),
      },
    },
  ];
}
