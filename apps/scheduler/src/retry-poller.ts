import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, topology, Topology } from '@hookledger/contracts';
import { JetStreamPublisher } from '@hookledger/messaging';

const BATCH = 500;

/**
 * Publishes dispatch commands for retries that fall due. Rows are claimed with FOR UPDATE SKIP
 * LOCKED and released (due_at cleared) in the same transaction, after JetStream acknowledged the
 * commands: several schedulers share the work and none sends a retry another already sent. A
 * crash between publish and commit re-publishes with the same msgID, which JetStream drops.
 */
@Injectable()
export class RetryPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetryPoller.name);
  private readonly topology: Topology;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly db: DataSource, private readonly publisher: JetStreamPublisher, private readonly config: HookledgerConfig) {
    this.topology = topology(config.natsNamespace);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and publishes one batch of due retries; returns how many. */
  async publishDue(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due: { id: string; attempts: number }[] = await tx.query(
        `SELECT id, attempts FROM deliveries WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (due.length === 0) return 0;
      await this.publisher.publishMany(
        due.map((row) => {
          const command: DispatchCommand = { v: 1, delivery_id: row.id, attempt: row.attempts + 1, trigger: 'scheduled' };
          return { subject: this.topology.subjects.dispatch, payload: command, msgID: dispatchMessageId(command) };
        }),
      );
      await tx.query(`UPDATE deliveries SET due_at = NULL WHERE id = ANY($1::text[])`, [due.map((row) => row.id)]);
      return due.length;
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = null));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let published = 0;
    try {
      published = await this.publishDue();
      if (published > 0) this.logger.debug({ msg: 'retries published', count: published });
    } catch (error) {
      this.logger.error({ msg: 'retry poll failed', err: error });
    }
    // A full batch means more are due: go again at once instead of waiting a whole interval.
    this.schedule(published === BATCH ? 0 : this.config.schedulerIntervalMs);
  }
}
