import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository';

const PRUNE_EVERY_MS = 10_000;
const BATCH = 5_000;

/**
 * Deletes expired Idempotency-Key answers as fast as they are written. Every POST with a key
 * writes a row that expires a day later, so a day on, rows expire at the rate they were written:
 * up to the whole API's request rate. Pruning a fixed batch now and then (it was 1,000 rows a
 * minute) falls behind any client that sends more than 17 such requests a second, and the table
 * and its index grow without end. Each round drains every expired row, a batch per statement so
 * no statement holds many row locks for long; instances skip the rows another one is deleting.
 */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPruner.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly keys: IdempotencyRepository) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Deletes expired rows a batch at a time until none is left; answers how many. */
  async pruneExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.keys.prune(BATCH);
      total += deleted;
      if (deleted < BATCH || this.stopped) return total;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pruneExpired()
        .then((deleted) => { if (deleted > 0) this.logger.debug({ msg: 'expired idempotency keys pruned', deleted }); })
        .catch((err) => this.logger.warn({ msg: 'expired idempotency keys not pruned', err }))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, PRUNE_EVERY_MS);
  }
}
