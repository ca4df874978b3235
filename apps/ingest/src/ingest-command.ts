import type { IngestCommand } from '@hookledger/contracts';
import { DEFAULT_TENANT, isId, MESSAGE_ID, newId, ROUTING_TOKEN, validateCustomerEventType, validateEventTypeName } from '@hookledger/domain';

const MAX_TARGETED_ENDPOINTS = 100;

export type ParsedIngest = { readonly command: IngestCommand } | { readonly rejected: string };

/**
 * Checks a command from the bus. The API validated its own, but internal services publish to
 * `<ns>.in.<type>` directly, so every field is checked again here; the event type may come from
 * the subject, and id and timestamp default as the API would set them.
 */
export function parseIngestCommand(body: unknown, subjectType: string | null, now: Date): ParsedIngest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { rejected: 'the message is not a JSON object' };
  const raw = body as Record<string, unknown>;
  if (raw.v !== undefined && raw.v !== 1) return { rejected: `unknown command version ${String(raw.v)}` };
  const type = raw.type ?? subjectType;
  if (typeof type !== 'string') return { rejected: 'type is missing' };
  const typeCheck = validateEventTypeName(type);
  if (!typeCheck.valid) return { rejected: `type: ${typeCheck.reason}` };
  // From the inbound bus (the subject names a type), the reserved hookledger. types are refused as
  // the API refuses them; `<ns>.cmd.ingest` carries them from the operational-webhook forwarder.
  const reserved = subjectType === null ? null : validateCustomerEventType(type);
  if (reserved && !reserved.valid) return { rejected: `type: ${reserved.reason}` };
  const id = raw.id ?? newId('msg');
  if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return { rejected: 'id must be 1–256 letters, digits, _ . : or -' };
  const data = raw.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { rejected: 'data must be a JSON object' };
  const timestamp = raw.timestamp ?? now.toISOString();
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) return { rejected: 'timestamp must be an ISO-8601 date-time' };
  const tenant = raw.tenant_id ?? DEFAULT_TENANT;
  if (typeof tenant !== 'string' || !ROUTING_TOKEN.test(tenant)) return { rejected: 'tenant_id is not valid' };
  const channels = raw.channels ?? null;
  if (channels !== null && (!Array.isArray(channels) || channels.length > 10 || !channels.every((c) => typeof c === 'string' && ROUTING_TOKEN.test(c)))) {
    return { rejected: 'channels must be at most 10 tokens' };
  }
  const endpointIds = raw.endpoint_ids ?? null;
  if (endpointIds !== null && (!Array.isArray(endpointIds) || endpointIds.length === 0 || endpointIds.length > MAX_TARGETED_ENDPOINTS || !endpointIds.every((id) => isId(id, 'ep')))) {
    return { rejected: `endpoint_ids must be 1–${MAX_TARGETED_ENDPOINTS} endpoint ids` };
  }
  const source = raw.source ?? null;
  if (source !== null && !isSource(source)) return { rejected: 'source must be {id, type, delivery_id} with a src_ id' };
  return {
    command: {
      v: 1,
      id,
      type,
      timestamp: new Date(timestamp).toISOString(),
      data: data as Record<string, unknown>,
      tenant_id: tenant,
      channels: channels as string[] | null,
      ...(endpointIds === null ? {} : { endpoint_ids: endpointIds as string[] }),
      ...(source === null ? {} : { source: { id: source.id, type: source.type, delivery_id: source.delivery_id } }),
    },
  };
}

function isSource(value: unknown): value is { id: string; type: string; delivery_id: string } {
  if (value === null || typeof value !== 'object') return false;
  const { id, type, delivery_id } = value as Record<string, unknown>;
  return isId(id, 'src') && typeof type === 'string' && type.length <= 32 && typeof delivery_id === 'string' && delivery_id.length > 0 && delivery_id.length <= 200;
}
