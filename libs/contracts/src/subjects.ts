/**
 * NATS subjects, streams and durable consumers. Everything is derived from one namespace
 * (default `hooks`) so that several isolated Hookledger systems — a test run, a staging copy —
 * can share one NATS server without consuming each other's work.
 */
export interface Topology {
  readonly namespace: string;
  readonly subjects: {
    readonly ingest: string;
    readonly dispatch: string;
    /** Wildcard for events published by internal services: `<ns>.in.<event type>`. */
    readonly inbound: string;
    inboundFor(eventType: string): string;
    /** Hookledger's own domain events for internal consumers: `<ns>.evt.<name>`. */
    readonly events: string;
    eventFor(name: OperationalEventName): string;
  };
  readonly streams: { readonly commands: string; readonly inbound: string; readonly events: string };
  readonly consumers: { readonly ingest: string; readonly inbound: string; readonly dispatcher: string; readonly operationalWebhooks: string };
}

export type OperationalEventName =
  | 'delivery.succeeded'
  | 'delivery.failed'
  | 'delivery.exhausted'
  | 'endpoint.disabled'
  | 'endpoint.enabled'
  | 'endpoint.circuit_opened'
  | 'endpoint.circuit_closed'
  | 'ledger.checkpoint'
  | 'tenant.erased'
  | 'tenant.payloads_purged';

const NAMESPACE = /^[a-z][a-z0-9_-]{0,31}$/;

export function topology(namespace = 'hooks'): Topology {
  if (!NAMESPACE.test(namespace)) throw new Error(`invalid NATS namespace "${namespace}"`);
  const upper = namespace.toUpperCase().replace(/-/g, '_');
  return {
    namespace,
    subjects: {
      ingest: `${namespace}.cmd.ingest`,
      dispatch: `${namespace}.cmd.dispatch`,
      inbound: `${namespace}.in.>`,
      inboundFor: (eventType) => `${namespace}.in.${eventType}`,
      events: `${namespace}.evt.>`,
      eventFor: (name) => `${namespace}.evt.${name}`,
    },
    streams: { commands: `${upper}_COMMANDS`, inbound: `${upper}_INBOUND`, events: `${upper}_EVENTS` },
    consumers: { ingest: 'ingest', inbound: 'ingest-inbound', dispatcher: 'dispatcher', operationalWebhooks: 'operational-webhooks' },
  };
}
