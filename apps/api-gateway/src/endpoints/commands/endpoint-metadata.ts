import type { EventMetadata } from '@hookledger/event-store';
import type { EndpointProjection } from '@hookledger/event-store';

/**
 * Who changed the endpoint, and its tenant (never changes, so the projection's row says it); an
 * unknown endpoint has none, and the command is refused as not found by the domain.
 */
export async function endpointMetadata(endpoints: EndpointProjection, endpointId: string, actor: string): Promise<EventMetadata> {
  const row = await endpoints.find(endpointId);
  return row ? { actor, tenant_id: row.tenant_id } : { actor };
}
