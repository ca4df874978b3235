import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { operationalEvent } from '@hookledger/contracts';
import { EndpointProjection, EndpointRow, Outbox } from '@hookledger/event-store';
import { changeMetadata, Principal } from '../auth/principal';
import type { EndpointResource } from './endpoint.dto';
import { EndpointHealthRepository } from './endpoint-health.repository';
import { toEndpointResource } from './endpoint-row';
import { notFound } from '../http/not-found';

/** A change of an endpoint's state, or null when it is already in the state asked for. */
interface StateChange {
  readonly type: 'EndpointDisabled' | 'EndpointEnabled' | 'EndpointPaused' | 'EndpointResumed';
  readonly fields: Partial<EndpointRow>;
  readonly data?: Record<string, unknown>;
  /** Further writes that belong to the same transaction: outbox events, the health reset. */
  readonly alsoIn?: (tx: EntityManager) => Promise<void>;
}

const OPERATOR_REASON = 'disabled by an operator';

/**
 * An operator disabling, enabling, pausing and resuming an endpoint. Each is idempotent: asking
 * for the state the endpoint is already in records nothing and answers the endpoint as it is.
 */
@Injectable()
export class EndpointStateService {
  constructor(
    private readonly endpoints: EndpointProjection,
    private readonly outbox: Outbox,
    private readonly health: EndpointHealthRepository,
    private readonly config: HookledgerConfig,
  ) {}

  disable(id: string, reason: string | undefined, principal: Principal): Promise<EndpointResource> {
    const why = reason ?? OPERATOR_REASON;
    return this.change(id, principal, (current) => current.active ? {
      type: 'EndpointDisabled',
      fields: { active: false, disabled_reason: why },
      data: { reason: why, by: 'operator' },
      alsoIn: (tx) => this.activationChanged(tx, id, false, why),
    } : null);
  }

  enable(id: string, principal: Principal): Promise<EndpointResource> {
    return this.change(id, principal, (current) => current.active ? null : {
      type: 'EndpointEnabled',
      fields: { active: true, disabled_reason: null },
      data: { by: 'operator' },
      alsoIn: (tx) => this.activationChanged(tx, id, true, null),
    });
  }

  pause(id: string, principal: Principal): Promise<EndpointResource> {
    return this.change(id, principal, (current) => current.paused ? null : { type: 'EndpointPaused', fields: { paused: true } });
  }

  resume(id: string, principal: Principal): Promise<EndpointResource> {
    return this.change(id, principal, (current) => current.paused ? { type: 'EndpointResumed', fields: { paused: false } } : null);
  }

  /**
   * What follows an operator enabling or disabling an endpoint, however they did it (these routes
   * or PATCH {active}): the operational event, and on enable a fresh start for its health.
   */
  async activationChanged(tx: EntityManager, id: string, active: boolean, reason: string | null): Promise<void> {
    if (active) {
      await this.health.reset(tx, id);
      await this.outbox.add(tx, [operationalEvent('endpoint.enabled', { endpoint_id: id, by: 'operator' })]);
    } else {
      await this.outbox.add(tx, [operationalEvent('endpoint.disabled', { endpoint_id: id, reason, by: 'operator' })]);
    }
  }

  private async change(id: string, principal: Principal, decide: (current: EndpointRow) => StateChange | null): Promise<EndpointResource> {
    const row = await this.endpoints.transaction(async (tx) => {
      const current = await this.endpoints.lock(tx, id);
      if (!current) throw notFound('endpoint', id);
      const change = decide(current);
      if (!change) return current;
      const next = await this.endpoints.update(tx, current, { ...current, ...change.fields }, {
        type: change.type, data: { id, ...change.data }, metadata: changeMetadata(principal, current.tenant_id),
      });
      await change.alsoIn?.(tx);
      return next;
    });
    return toEndpointResource(row, this.config);
  }
}
