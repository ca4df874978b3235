import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { operationalEvent } from '@hookledger/contracts';
import { endpointStreamId } from '@hookledger/domain';
import { AggregateRepository, endpointAggregate, Outbox } from '@hookledger/event-store';
import { PeriodicTask } from './periodic-task';

const ACTOR = 'system:scheduler';

/**
 * Disables endpoints that answered 410 Gone or have failed without a single success for
 * HOOKS_ENDPOINT_DISABLE_AFTER, as the async `endpoint-health` projection has it (a tick or two
 * behind the attempts is no matter at this scale of time). The change is decided by the endpoint
 * aggregate like an operator's: EndpointDisabled by the system, with its circuit closed on the
 * stream so the deliveries it held are released and end as `endpoint_disabled` instead of waiting
 * forever; the projection clears `gone_at` on it. `endpoint.disabled` is announced through the outbox.
 */
@Injectable()
export class EndpointDisabler extends PeriodicTask {
  protected readonly intervalMs: number;

  constructor(
    private readonly db: DataSource,
    private readonly aggregates: AggregateRepository,
    private readonly outbox: Outbox,
    private readonly config: HookledgerConfig,
  ) {
    super();
    this.intervalMs = Math.max(config.schedulerIntervalMs, 1000);
  }

  // Nothing from before the endpoint's last enable counts: the projection resets on the enable, but
  // may not have caught up with it yet, and the endpoints row (inline) already knows of it.
  protected async tick(): Promise<boolean> {
    const candidates: { id: string }[] = await this.db.query(
      `SELECT e.id FROM endpoints e JOIN endpoint_health h ON h.endpoint_id = e.id
        WHERE e.active AND e.deleted_at IS NULL
          AND (h.gone_at > coalesce(e.enabled_at, '-infinity')
               OR (h.failing_since > coalesce(e.enabled_at, '-infinity') AND h.failing_since <= now() - make_interval(secs => $1)))
        LIMIT 100`,
      [this.config.endpointDisableAfterMs / 1000],
    );
    for (const { id } of candidates) await this.disable(id);
    return candidates.length === 100;
  }

  private async disable(id: string): Promise<void> {
    await this.aggregates.transaction(async (tx) => {
      const [health]: { gone_at: Date | null; failing_since: Date | null; tenant_id: string }[] = await tx.query(
        `SELECT h.gone_at, h.failing_since, e.tenant_id FROM endpoint_health h JOIN endpoints e ON e.id = h.endpoint_id
          WHERE h.endpoint_id = $1`,
        [id],
      );
      if (!health) return;
      const reason = health.gone_at
        ? 'the endpoint answered 410 Gone'
        : `the endpoint has failed without a success since ${health.failing_since?.toISOString()}`;
      const handled = await this.aggregates.handleIn(tx, endpointAggregate, endpointStreamId(id),
        { type: 'DisableEndpoint', endpoint_id: id, by: 'system', reason }, { actor: ACTOR, tenant_id: health.tenant_id });
      if (handled.events.length === 0) return; // another scheduler, or an operator, got there first
      await this.outbox.add(tx, [operationalEvent('endpoint.disabled', { tenant_id: health.tenant_id, endpoint_id: id, reason, by: 'system' })]);
      this.logger.warn({ msg: 'endpoint disabled', endpoint_id: id, reason });
    }).catch((error: unknown) => {
      // A deleted endpoint (deleted since the tick's query) is not disabled: nothing to do.
      if ((error as { kind?: string }).kind !== 'not_found') throw error;
    });
  }
}
