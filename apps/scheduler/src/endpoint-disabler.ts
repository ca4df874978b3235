import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { operationalEvent } from '@hookledger/contracts';
import { EndpointProjection, Outbox } from '@hookledger/event-store';
import { PeriodicTask } from './periodic-task';

const ACTOR = { actor: 'system:scheduler' };

/**
 * Disables endpoints that answered 410 Gone or have failed without a single success for
 * HOOKS_ENDPOINT_DISABLE_AFTER. The change goes through the event store like an operator's, and
 * `endpoint.disabled` is announced through the outbox. The circuit is reset so the deliveries it
 * held are released and end as `endpoint_disabled` instead of waiting forever.
 */
@Injectable()
export class EndpointDisabler extends PeriodicTask {
  protected readonly intervalMs: number;

  constructor(
    private readonly db: DataSource,
    private readonly endpoints: EndpointProjection,
    private readonly outbox: Outbox,
    private readonly config: HookledgerConfig,
  ) {
    super();
    this.intervalMs = Math.max(config.schedulerIntervalMs, 1000);
  }

  protected async tick(): Promise<boolean> {
    const candidates: { id: string }[] = await this.db.query(
      `SELECT e.id FROM endpoints e JOIN endpoint_health h ON h.endpoint_id = e.id
        WHERE e.active AND e.deleted_at IS NULL
          AND (h.gone_at IS NOT NULL OR h.failing_since <= now() - make_interval(secs => $1))
        LIMIT 100`,
      [this.config.endpointDisableAfterMs / 1000],
    );
    for (const { id } of candidates) await this.disable(id);
    return candidates.length === 100;
  }

  private async disable(id: string): Promise<void> {
    await this.endpoints.transaction(async (tx) => {
      const current = await this.endpoints.lock(tx, id);
      if (!current || !current.active) return; // another scheduler got there first
      const [health]: { gone_at: Date | null; failing_since: Date | null }[] = await tx.query(
        `SELECT gone_at, failing_since FROM endpoint_health WHERE endpoint_id = $1 FOR UPDATE`,
        [id],
      );
      if (!health) return;
      const reason = health.gone_at
        ? 'the endpoint answered 410 Gone'
        : `the endpoint has failed without a success since ${health.failing_since?.toISOString()}`;
      await this.endpoints.update(tx, current, { ...current, active: false, disabled_reason: reason }, {
        type: 'EndpointDisabled', data: { id, reason, by: 'system' }, metadata: { ...ACTOR, tenant_id: current.tenant_id },
      });
      await tx.query(
        `UPDATE endpoint_health SET circuit_state = 'closed', circuit_opened_at = NULL, circuit_retry_at = NULL, circuit_cooldown_s = 0,
                gone_at = NULL, updated_at = now() WHERE endpoint_id = $1`,
        [id],
      );
      await this.outbox.add(tx, [operationalEvent('endpoint.disabled', { endpoint_id: id, reason, by: 'system' })]);
      this.logger.warn({ msg: 'endpoint disabled', endpoint_id: id, reason });
    });
  }
}
