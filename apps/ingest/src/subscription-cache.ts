import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SubscriptionIndex, Subscription } from '@hookledger/domain';

/** What the index needs of an endpoint row; `active` is false for every row that must not be routed to. */
const SUBSCRIPTION_COLUMNS = `id, tenant_id, event_types, channels, active AND deleted_at IS NULL AND NOT adhoc AS active, filter`;

/**
 * The in-memory subscription index. Every change to how an endpoint is routed stamps its row with
 * a new `subscription_index.version` (migration 1732400000016). Checking that one row at the start
 * of each batch (one cheap query per batch, never per message) and then reading only the rows
 * stamped since the version last seen means an endpoint committed before an event was published
 * always receives it, while one endpoint's change costs reading that endpoint, not every tenant's.
 */
@Injectable()
export class SubscriptionCache {
  private readonly logger = new Logger(SubscriptionCache.name);
  private version = -1n;
  private index = new SubscriptionIndex([]);
  private refreshing: Promise<unknown> = Promise.resolve();

  /**
   * One refresh at a time: ingest and the operational-webhook forwarder both ask, and two
   * overlapping refreshes could leave the older one's rows over the newer one's.
   */
  current(tx: EntityManager): Promise<SubscriptionIndex> {
    const next = this.refreshing.then(() => this.refresh(tx));
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private async refresh(tx: EntityManager): Promise<SubscriptionIndex> {
    const [state]: { version: string; reset_version: string }[] = await tx.query(`SELECT version, reset_version FROM subscription_index WHERE id = 1`);
    const version = BigInt(state.version);
    if (version === this.version) return this.index;

    // Rows removed outright (not the soft delete the API does) leave nothing to read: start over.
    if (this.version < 0n || BigInt(state.reset_version) > this.version) {
      const endpoints: Subscription[] = await tx.query(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM endpoints WHERE deleted_at IS NULL AND active AND NOT adhoc ORDER BY id`,
      );
      this.index = new SubscriptionIndex(endpoints, (report) =>
        this.logger.error({ msg: 'payload filter passed its step budget; the event was delivered as if it matched', ...report }));
      this.logger.log({ msg: 'subscription index loaded', version: state.version, endpoints: this.index.size });
      this.reportInvalidFilters(this.index, null);
    } else {
      // Stamped after the version last seen; rows stamped later than `version` may come too, and are read again next time.
      const changed: Subscription[] = await tx.query(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM endpoints WHERE index_version > $1 ORDER BY id`,
        [this.version.toString()],
      );
      this.index = this.index.withChanges(changed);
      this.logger.log({ msg: 'subscription index updated', version: state.version, changed: changed.length, endpoints: this.index.size });
      this.reportInvalidFilters(this.index, new Set(changed.map((endpoint) => endpoint.id)));
    }
    this.version = version;
    return this.index;
  }

  private reportInvalidFilters(index: SubscriptionIndex, among: ReadonlySet<string> | null): void {
    for (const { id, reason } of index.invalidFilters) {
      if (among && !among.has(id)) continue;
      this.logger.error({ msg: 'endpoint filter is not valid; the endpoint receives no events until it is fixed', endpoint_id: id, reason });
    }
  }
}
