import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { operationalEvent } from '@hookledger/contracts';
import { EndpointEvent, EndpointEventType } from '@hookledger/domain';
import { EventMetadata, Outbox } from '@hookledger/event-store';

/**
 * What follows an operator enabling or disabling an endpoint, however they did it (the routes or
 * PATCH {active}), in the transaction of its events: the operational event, naming the endpoint's tenant (its metadata's). (The fresh start an
 * enable gives its health is the endpoint-health projection's, from the same events.)
 */
@Injectable()
export class EndpointActivation {
  constructor(private readonly outbox: Outbox) {}

  async followUp(tx: EntityManager, metadata: EventMetadata, events: readonly EndpointEvent[]): Promise<void> {
    const tenantId = metadata.tenant_id;
    for (const event of events) {
      const id = event.data.id;
      if (event.type === EndpointEventType.EndpointEnabled || (event.type === EndpointEventType.EndpointUpdated && event.data.changes.active === true)) {
        await this.outbox.add(tx, [operationalEvent('endpoint.enabled', { tenant_id: tenantId, endpoint_id: id, by: 'operator' })]);
      } else if (event.type === EndpointEventType.EndpointDisabled || (event.type === EndpointEventType.EndpointUpdated && event.data.changes.active === false)) {
        const reason = event.type === EndpointEventType.EndpointDisabled ? event.data.reason : 'disabled by an operator';
        await this.outbox.add(tx, [operationalEvent('endpoint.disabled', { tenant_id: tenantId, endpoint_id: id, reason, by: 'operator' })]);
      }
    }
  }
}
