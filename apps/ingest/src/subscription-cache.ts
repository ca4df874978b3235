import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SubscriptionIndex, Subscription } from '@hookledger/domain';

/**
 * The in-memory subscription index. Every endpoint change bumps `subscription_index.version` in
 * its own transaction; checking that one row at the start of each batch (one cheap query per
 * batch, never per message) means an endpoint committed before an event was published always
 * receives it.
 */
@Injectable()
export class SubscriptionCache {
  private readonly logger = new Logger(SubscriptionCache.name);
  private version = -1n;
  private index = new SubscriptionIndex([]);

  async current(tx: EntityManager): Promise<SubscriptionIndex> {
    const [{ version }]: { version: string }[] = await tx.query(`SELECT version FROM subscription_index WHERE id = 1`);
    if (BigInt(version) !== this.version) {
      const endpoints: Subscription[] = await tx.query(
        `SELECT id, tenant_id, event_types, channels, active, filter FROM endpoints WHERE deleted_at IS NULL AND active AND NOT adhoc ORDER BY id`,
      );
      this.index = new SubscriptionIndex(endpoints, (report) =>
        this.logger.error({ msg: 'payload filter passed its step budget; the event was delivered as if it matched', ...report }));
      this.version = BigInt(version);
      this.logger.log({ msg: 'subscription index loaded', version, endpoints: this.index.size });
      for (const { id, reason } of this.index.invalidFilters) {
        this.logger.error({ msg: 'endpoint filter is not valid; the endpoint receives no events until it is fixed', endpoint_id: id, reason });
      }
    }
    return this.index;
  }
}
