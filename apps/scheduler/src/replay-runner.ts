import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, topology, Topology } from '@hookledger/contracts';
import { Replays } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { PeriodicTask } from './periodic-task';

const PAGE = 200;

/**
 * Works through replay jobs a page at a time: claims a running replay (SKIP LOCKED, so several
 * schedulers share them), publishes a manual dispatch command per delivery of its next page, and
 * moves its cursor in the same transaction, after JetStream acknowledged the commands. All state
 * is in Postgres, so a replay finishes whichever process restarts; a crash between publish and
 * commit re-publishes the page with the same msgIDs, which JetStream drops.
 */
@Injectable()
export class ReplayRunner extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly topology: Topology;

  constructor(
    private readonly db: DataSource,
    private readonly replays: Replays,
    private readonly publisher: JetStreamPublisher,
    config: HookledgerConfig,
  ) {
    super();
    this.intervalMs = config.schedulerIntervalMs;
    this.topology = topology(config.natsNamespace);
  }

  protected tick(): Promise<boolean> {
    return this.runPage();
  }

  /** Handles one page of one running replay; false when none was waiting. */
  async runPage(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const replay = await this.replays.claimNext(tx);
      if (!replay) return false;
      if (replay.endpoint_deleted) {
        await this.replays.advance(tx, replay.id, { cursor: null, handled: 0, last: true });
        this.logger.log({ msg: 'replay closed: its endpoint was deleted', replay_id: replay.id, endpoint_id: replay.endpoint_id });
        return true;
      }
      const page = await this.replays.nextPage(tx, replay, PAGE);
      const toSend = page.filter((delivery) => !delivery.redelivered);
      await this.publisher.publishMany(
        toSend.map((delivery) => {
          const command: DispatchCommand = { v: 1, delivery_id: delivery.id, attempt: delivery.attempts + 1, trigger: 'manual' };
          return { subject: this.topology.subjects.dispatch, payload: command, msgID: dispatchMessageId(delivery.id, delivery.version, replay.id) };
        }),
      );
      const last = page.length < PAGE;
      await this.replays.advance(tx, replay.id, { cursor: page.at(-1)?.id ?? null, handled: page.length, last });
      this.logger.log({
        msg: last ? 'replay completed' : 'replay page dispatched',
        replay_id: replay.id, endpoint_id: replay.endpoint_id, dispatched: toSend.length, handled: replay.dispatched + page.length,
      });
      return true;
    });
  }
}
