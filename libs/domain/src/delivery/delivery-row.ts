import { DeliveryEvent, deliveredBy } from './delivery-events';
import type { DeliveryStatus } from './delivery-state';
import { dueAtAfter } from './delivery-work-queue';
import { DEFAULT_TENANT } from '../subscriptions/event-type-pattern';

/**
 * What a run of one delivery's events does to its `deliveries` row, when the row as it stood
 * before them is not at hand: the projector folds each append batch into one change per delivery
 * and writes them all in one statement, without reading the rows first (no extra round trip on
 * the hot path). A field left null (or `keep`) keeps the row's value; the rules are evolve's and
 * dueAtAfter's, applied to what the events say.
 */
export interface DeliveryRowChange {
  readonly delivery_id: string;
  /** The DeliveryScheduled was in the run: the row is new, created at this time. */
  readonly created_at: string | null;
  readonly message_id: string | null;
  readonly endpoint_id: string | null;
  readonly tenant_id: string | null;
  readonly event_type: string | null;
  readonly status: DeliveryStatus | null;
  readonly attempts: number | null;
  /** An attempt was made: last_status_code and last_error take its values (null included). */
  readonly attempted: boolean;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly last_attempt_at: string | null;
  readonly next_attempt_at: { readonly set: boolean; readonly value: string | null };
  /** `created`: due at the row's created_at (a held delivery). */
  readonly due_at: { readonly set: 'keep' | 'value' | 'created'; readonly value: string | null };
  readonly delivered_at: string | null;
  /** Succeeded by an attempt made before the run: delivered_at is that attempt's start (the projector looks it up). */
  readonly delivered_by_attempt: number | null;
  readonly version: number;
  readonly updated_at: string;
}

export const unchangedDeliveryRow = (delivery_id: string): DeliveryRowChange => ({
  delivery_id, created_at: null, message_id: null, endpoint_id: null, tenant_id: null, event_type: null, status: null, attempts: null,
  attempted: false, last_status_code: null, last_error: null, last_attempt_at: null, next_attempt_at: { set: false, value: null },
  due_at: { set: 'keep', value: null }, delivered_at: null, delivered_by_attempt: null, version: 0, updated_at: '',
});

const KEEP = '\u0000keep';
const CREATED = '\u0000created';

/** Folds one event (at its stream version and record time) into the change of its delivery's row. */
export function changeDeliveryRow(change: DeliveryRowChange, event: DeliveryEvent, at: { version: number; recordedAt: string }): DeliveryRowChange {
  const next = { ...change, version: at.version, updated_at: at.recordedAt, due_at: dueAt(change, event) };
  switch (event.type) {
    case 'DeliveryScheduled':
      return {
        ...unchangedDeliveryRow(change.delivery_id), ...next, created_at: at.recordedAt, message_id: event.data.message_id,
        endpoint_id: event.data.endpoint_id, // Scheduled before tenants existed: the tenancy migration gave those rows the default tenant.
        tenant_id: event.data.tenant_id ?? DEFAULT_TENANT, event_type: event.data.event_type,
        status: 'pending', attempts: 0, next_attempt_at: { set: true, value: null }, due_at: { set: 'value', value: null },
      };
    case 'DeliveryAttempted': {
      const attempted: DeliveryRowChange = {
        ...next, attempts: event.data.attempt, attempted: true, last_status_code: event.data.status_code, last_error: event.data.error,
        last_attempt_at: event.data.started_at, next_attempt_at: { set: true, value: null },
      };
      return deliveredBy(event) ? { ...attempted, status: 'succeeded', delivered_at: event.data.started_at, delivered_by_attempt: null } : attempted;
    }
    case 'DeliverySucceeded':
      return {
        ...next, status: 'succeeded', next_attempt_at: { set: true, value: null },
        delivered_at: change.last_attempt_at, delivered_by_attempt: change.last_attempt_at === null ? event.data.attempt : null,
      };
    case 'DeliveryRetryScheduled':
      return { ...next, status: 'retrying', next_attempt_at: { set: true, value: event.data.next_attempt_at } };
    case 'DeliveryFailed':
      return { ...next, status: 'failed', next_attempt_at: { set: true, value: null } };
    case 'DeliveryDeferred':
      return { ...next, next_attempt_at: { set: true, value: null } };
    case 'DeliveryRequeued':
      return next;
    default:
      return change;
  }
}

function dueAt(change: DeliveryRowChange, event: DeliveryEvent): DeliveryRowChange['due_at'] {
  const before = change.due_at.set === 'keep' ? KEEP : change.due_at.set === 'created' ? CREATED : change.due_at.value;
  const after = dueAtAfter(event, { due_at: before, created_at: CREATED });
  if (after === KEEP) return { set: 'keep', value: null };
  if (after === CREATED) return { set: 'created', value: null };
  return { set: 'value', value: after };
}
