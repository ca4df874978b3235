import { monotonicFactory } from 'ulidx';
import type { OperationalEvent, OperationalEventName } from '@hookledger/contracts';

const ulid = monotonicFactory();

/** A new occurrence of a domain event; its `id` is unique and doubles as the JetStream msgID. */
export function operationalEvent<T extends OperationalEventName, D>(type: T, data: D, occurredAt: Date = new Date()): OperationalEvent<T, D> {
  return { id: `evt_${ulid()}`, type, occurred_at: occurredAt.toISOString(), data };
}
