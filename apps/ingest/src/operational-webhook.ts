import type { IngestCommand } from '@hookledger/contracts';
import { isReservedEventType, operationalEventType, ROUTING_TOKEN } from '@hookledger/domain';

/** An ingest command that always names its tenant. */
export type OperationalWebhook = IngestCommand & { readonly tenant_id: string; readonly data: Record<string, unknown> };

/**
 * The webhook an operational event becomes for its tenant, or why it becomes none. The message
 * takes the event's id, so a redelivered event is the same message and is stored (and delivered)
 * once; its data is the event's plus `occurred_at`.
 *
 * Loop rule: an event about a delivery of a `hookledger.*` message is never forwarded, or an
 * endpoint that fails its operational webhooks would be sent webhooks about that, forever.
 */
export function operationalWebhook(body: unknown): { webhook: OperationalWebhook } | { skipped: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { skipped: 'not an operational event' };
  const event = body as { id?: unknown; type?: unknown; occurred_at?: unknown; data?: unknown };
  if (typeof event.type !== 'string' || typeof event.id !== 'string' || typeof event.occurred_at !== 'string') return { skipped: 'not an operational event' };
  const type = operationalEventType(event.type);
  if (!type) return { skipped: `${event.type} is not delivered as a webhook` };
  const data = event.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { skipped: 'the event has no data' };
  const { tenant_id: tenantId, event_type: aboutType } = data as { tenant_id?: unknown; event_type?: unknown };
  if (typeof tenantId !== 'string' || !ROUTING_TOKEN.test(tenantId)) return { skipped: 'the event names no tenant' };
  if (typeof aboutType === 'string' && isReservedEventType(aboutType)) return { skipped: 'it is about an operational webhook (loop rule)' };
  return {
    webhook: {
      v: 1,
      id: event.id,
      type,
      timestamp: event.occurred_at,
      data: { ...(data as Record<string, unknown>), occurred_at: event.occurred_at },
      tenant_id: tenantId,
      channels: null,
    },
  };
}
