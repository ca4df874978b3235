import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { outboxMessages } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { PeriodicTask } from './periodic-task';

/** Rows per transaction: a dispatcher's row holds a recorded batch's events (up to its batch size). */
const BATCH = 100;

/**
 * Publishes what waits in the outbox (operational events to `<ns>.evt.>`; a replay page's dispatch
 * commands its runner died before publishing) and deletes them once JetStream
 * acknowledged: at least once (a crash before the delete republishes; the event id is the msgID
 * and consumers dedup on it). A row may hold many events (Outbox.addMany): each is published on
 * its own subject under its own id. SKIP LOCKED lets several schedulers share the relay.
 */
@Injectable()
export class OutboxRelay extends PeriodicTask {
  protected readonly intervalMs: number;

  constructor(private readonly db: DataSource, private readonly publisher: JetStreamPublisher, config: HookledgerConfig) {
    super();
    this.intervalMs = Math.min(config.schedulerIntervalMs, 200);
  }

  protected async tick(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows: { seq: string; id: string; subject: string; payload: object }[] = await tx.query(
        `SELECT seq, id, subject, payload FROM outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.length === 0) return false;
      await this.publisher.publishMany(rows.flatMap((row) => outboxMessages(row)));
      await tx.query(`DELETE FROM outbox WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
      return rows.length === BATCH;
    });
  }
}
