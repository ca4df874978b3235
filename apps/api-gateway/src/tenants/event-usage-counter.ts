import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { TenantsRepository } from './tenants.repository';

const FLUSH_EVERY_MS = 1000;

/**
 * Counts the events accepted for tenants without a monthly quota. Nothing is enforced for them, so
 * nothing needs the count at once: it is added up in memory and written once a second (and at
 * shutdown) in one statement, keeping publishes free of a write. Tenants with a quota are counted
 * exactly, per publish, by TenantsRepository.reserveEvents.
 */
@Injectable()
export class EventUsageCounter implements OnModuleDestroy {
  private readonly logger = new Logger(EventUsageCounter.name);
  private pending = new Map<string, { tenantId: string; month: string; events: number }>();
  private readonly timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();

  constructor(private readonly tenants: TenantsRepository) {}

  add(tenantId: string, month: string, events: number): void {
    const key = `${tenantId}\u0000${month}`;
    const entry = this.pending.get(key) ?? { tenantId, month, events: 0 };
    entry.events += events;
    this.pending.set(key, entry);
  }

  /** Counted here but not yet written: GET /v1/tenants/:id adds it to what the table says. */
  unwritten(tenantId: string, month: string): number {
    return this.pending.get(`${tenantId}\u0000${month}`)?.events ?? 0;
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()].filter((entry) => entry.events !== 0);
    this.pending = new Map();
    try {
      await this.tenants.addEvents(batch);
    } catch (error) {
      // Kept for the next flush: a count is never dropped because Postgres blinked.
      for (const entry of batch) this.add(entry.tenantId, entry.month, entry.events);
      this.logger.warn({ msg: 'tenant usage not written; retrying', err: error });
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
