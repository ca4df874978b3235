import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, topology, Topology } from '@hookledger/contracts';
import { ReplayCommand, replayAggregate, replayStreamId } from '@hookledger/domain';
import { AggregateRepository, Replays } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { PeriodicTask } from './periodic-task';

const PAGE = 200;
/** The runner's events name the scheduler as their actor. */
const ACTOR = { actor: 'system:scheduler' };

/**
 * Works through replay jobs a page at a time: claims a running replay (SKIP LOCKED, so several
 * schedulers share them), publishes a manual dispatch command per delivery of its next page, and
 * records the page on the replay's stream (ReplayPageDispatched, and ReplayCompleted after the
 * last) in the same transaction, after JetStream acknowledged the commands; the `replays`
 * projector moves the row's cursor. All state is in Postgres, so a replay finishes whichever
 * process restarts; a crash between publish and commit re-publishes the page with the same msgIDs,
 * which JetStream drops.
 */
@Injectable()
export class ReplayRunner extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly topology: Topology;

  constructor(
    private readonly db: DataSource,
    private readonly replays: Replays,
    private readonly aggregates: AggregateRepository,
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
        await this.record(tx, replay.id, { type: 'CloseReplay', data: { reason: 'endpoint_deleted' } });
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
      await this.record(tx, replay.id, { type: 'DispatchReplayPage', data: { cursor: page.at(-1)?.id ?? null, handled: page.length, sent: toSend.length, last } });
      this.logger.log({
        msg: last ? 'replay completed' : 'replay page dispatched',
        replay_id: replay.id, endpoint_id: replay.endpoint_id, dispatched: toSend.length, handled: replay.dispatched + page.length,
      });
      return true;
    });
  }

  /** The row lock claimNext took keeps other runners off this stream, so the version it reads is the one it appends at. */
  private async record(tx: EntityManager, replayId: string, command: ReplayCommand): Promise<void> {
    await this.aggregates.handleIn(tx, replayAggregate, replayStreamId(replayId), command, ACTOR);
  }
}
