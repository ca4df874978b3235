import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, dispatchMessageId, topology, Topology } from '@hookledger/contracts';
import { DeliveryEventType, deliveryStreamId, ReplayCommand, replayAggregate, replayStreamId } from '@hookledger/domain';
import { AggregateRepository, deliveryAggregate, Outbox, OutboxCommand, Replays, ReplayTarget } from '@hookledger/event-store';
import { JetStreamPublisher } from '@hookledger/messaging';
import { PeriodicTask } from './periodic-task';

const PAGE = 200;
/** The runner's events name the scheduler as their actor. */
const ACTOR = { actor: 'system:scheduler' };

/**
 * Works through replay jobs a page at a time: claims a running replay (SKIP LOCKED, so several
 * schedulers share them) and, in one transaction, appends DeliveryRequeued (with the replay's id)
 * on the stream of each delivery of its next page, writes their manual dispatch commands to the
 * outbox and records the page on the replay's stream (ReplayPageDispatched, and ReplayCompleted
 * after the last). Only after the commit are the commands published, at the version the requeue
 * left (msgID from delivery id + version + replay id): a dispatcher that loaded a delivery before
 * its requeue committed would record the attempt at a stale version, after the webhook went out.
 * A crash before the commit leaves nothing behind, so the page runs again whole; a crash after it
 * leaves the commands in the outbox, which the relay publishes with the same msgIDs. A page that
 * loses a race with the dispatcher for a delivery's stream (ConcurrencyError) runs again whole.
 */
@Injectable()
export class ReplayRunner extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly topology: Topology;

  constructor(
    private readonly db: DataSource,
    private readonly replays: Replays,
    private readonly aggregates: AggregateRepository,
    private readonly outbox: Outbox,
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
    const commands = await this.aggregates.transaction((tx) => this.recordPage(tx));
    if (commands === null) return false;
    if (commands.length > 0) {
      await this.publisher.publishMany(commands);
      await this.outbox.remove(this.db.manager, commands.map((command) => command.msgID));
    }
    return true;
  }

  /** The page's requeues and progress, committed together; the commands to publish after the commit (null: no replay waited). */
  private async recordPage(tx: EntityManager): Promise<OutboxCommand[] | null> {
    const replay = await this.replays.claimNext(tx);
    if (!replay) return null;
    if (replay.endpoint_deleted) {
      await this.record(tx, replay.id, { type: 'CloseReplay', data: { reason: 'endpoint_deleted' } });
      this.logger.log({ msg: 'replay closed: its endpoint was deleted', replay_id: replay.id, endpoint_id: replay.endpoint_id });
      return [];
    }
    const page = await this.replays.nextPage(tx, replay, PAGE);
    const commands: OutboxCommand[] = [];
    for (const delivery of page.filter((target) => !target.redelivered)) commands.push(await this.requeue(tx, delivery, replay.id));
    await this.outbox.addCommands(tx, commands);
    const last = page.length < PAGE;
    await this.record(tx, replay.id, { type: 'DispatchReplayPage', data: { cursor: page.at(-1)?.id ?? null, handled: page.length, sent: commands.length, last } });
    this.logger.log({
      msg: last ? 'replay completed' : 'replay page dispatched',
      replay_id: replay.id, endpoint_id: replay.endpoint_id, dispatched: commands.length, handled: replay.dispatched + page.length,
    });
    return commands;
  }

  /** Appends DeliveryRequeued at the version it read; the dispatch command asks for the attempt it names, at the version it leaves. */
  private async requeue(tx: EntityManager, delivery: ReplayTarget, replayId: string): Promise<OutboxCommand> {
    const { events, version } = await this.aggregates.handleIn(
      tx, deliveryAggregate, deliveryStreamId(delivery.id), { type: 'RequeueDelivery', data: { replay_id: replayId } }, ACTOR,
    );
    const [requeued] = events;
    if (requeued?.type !== DeliveryEventType.DeliveryRequeued) throw new Error(`requeueing ${delivery.id} for replay ${replayId} recorded no DeliveryRequeued`);
    const command: DispatchCommand = { v: 1, delivery_id: delivery.id, attempt: requeued.data.attempt, trigger: 'manual' };
    return { subject: this.topology.subjects.dispatch, payload: command, msgID: dispatchMessageId(delivery.id, version, replayId) };
  }

  /** The row lock claimNext took keeps other runners off this stream, so the version it reads is the one it appends at. */
  private async record(tx: EntityManager, replayId: string, command: ReplayCommand): Promise<void> {
    await this.aggregates.handleIn(tx, replayAggregate, replayStreamId(replayId), command, ACTOR);
  }
}
