import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { operationalEvent, TenantKeysDestroyedData } from '@hookledger/contracts';
import { tenantStreamId } from '@hookledger/domain';
import { AggregateRepository, Outbox } from '@hookledger/event-store';
import { TenantDataKeys } from '@hookledger/secrets';
import { changeMetadata } from '../../auth/principal';
import { EraseTenantCommand, TenantErasure } from './erase-tenant.command';
import { tenantAggregate } from './tenant-aggregate';

/**
 * Destroys every live data key of the tenant and records TenantErased with their ids, in one
 * transaction (a refusal — no such tenant — rolls the destruction back). Ingest holds the keys a
 * batch was sealed with FOR SHARE until its commit, so the destruction waits for a batch in
 * flight and covers it; a batch after it seals with a new key. The other processes hear of it
 * through the outbox (`tenant.erased`) and drop their cached keys; this one drops its own after
 * the commit, since a read between the destroy and the commit could have cached a key again.
 */
@CommandHandler(EraseTenantCommand)
export class EraseTenantHandler implements ICommandHandler<EraseTenantCommand> {
  constructor(private readonly aggregates: AggregateRepository, private readonly dataKeys: TenantDataKeys, private readonly outbox: Outbox) {}

  async execute({ tenantId, reason, principal }: EraseTenantCommand): Promise<TenantErasure> {
    const erasure = await this.aggregates.transaction(async (tx) => {
      const destroyed = await this.dataKeys.destroy(tx, tenantId, 'erasure');
      await this.aggregates.handleIn(tx, tenantAggregate, tenantStreamId(tenantId), { type: 'EraseTenant', tenant_id: tenantId, reason, destroyed }, changeMetadata(principal, tenantId));
      const announced: TenantKeysDestroyedData = { tenant_id: tenantId, reason: 'erasure', keys_destroyed: destroyed.count };
      await this.outbox.add(tx, [operationalEvent('tenant.erased', announced)]);
      // The inline projection stamped it with the event's recorded_at.
      const [row]: { erased_at: Date }[] = await tx.query(`SELECT erased_at FROM tenants WHERE id = $1`, [tenantId]);
      return { tenant_id: tenantId, erased_at: row.erased_at, keys_destroyed: destroyed.count };
    });
    this.dataKeys.forget(tenantId);
    return erasure;
  }
}
