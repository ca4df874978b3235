import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { OperationalEvent, OperationalEventName, topology, Topology } from '@hookledger/contracts';

/**
 * Operational events (`<ns>.evt.<name>`) are written to the outbox in the transaction of the
 * change they report, and published from there by the scheduler's relay: a crash between the
 * change and the publish cannot lose one. Consumers dedup on the event id (also the msgID).
 */
@Injectable()
export class Outbox {
  private readonly topology: Topology;

  constructor(config: HookledgerConfig) {
    this.topology = topology(config.natsNamespace);
  }

  async add(tx: EntityManager, events: readonly OperationalEvent<OperationalEventName, object>[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO outbox (id, subject, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
      [events.map((e) => e.id), events.map((e) => this.topology.subjects.eventFor(e.type)), events.map((e) => JSON.stringify(e))],
    );
  }

  /**
   * Many events in ONE row (a dispatcher's recorded batch: one `delivery.succeeded` or so per
   * delivery), so the outbox costs an insert and a delete per batch, not per event. The relay
   * publishes each on its own subject with its own id as msgID, exactly as if `add` had written
   * it: consumers see no difference. A single event gets a row of its own, as with `add`.
   */
  async addMany(tx: EntityManager, events: readonly OperationalEvent<OperationalEventName, object>[]): Promise<void> {
    if (events.length <= 1) return this.add(tx, events);
    const messages: OutboxCommand[] = events.map((e) => ({ subject: this.topology.subjects.eventFor(e.type), payload: e, msgID: e.id }));
    await tx.query(`INSERT INTO outbox (id, subject, payload) VALUES ($1, $2, $3::jsonb)`, [
      `${OUTBOX_BATCH_PREFIX}${events[0].id}`, this.topology.subjects.events, JSON.stringify(messages),
    ]);
  }

  /**
   * Commands whose sending belongs to the change recorded in `tx` (a replay page's requeues): the
   * relay publishes any the writer did not publish and `remove` itself after the commit.
   */
  async addCommands(tx: EntityManager, commands: readonly OutboxCommand[]): Promise<void> {
    if (commands.length === 0) return;
    await tx.query(
      `INSERT INTO outbox (id, subject, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
      [commands.map((c) => c.msgID), commands.map((c) => c.subject), commands.map((c) => JSON.stringify(c.payload))],
    );
  }

  /** Drops entries their writer published itself; the relay may have published them too (same msgID: JetStream drops it). */
  async remove(db: EntityManager, msgIDs: readonly string[]): Promise<void> {
    if (msgIDs.length === 0) return;
    await db.query(`DELETE FROM outbox WHERE id = ANY($1::text[])`, [msgIDs]);
  }
}

/**
 * The id of a row `addMany` wrote: its payload is an array of OutboxCommand, each published on its
 * own subject with its own msgID (the row's subject is only the events' wildcard).
 */
export const OUTBOX_BATCH_PREFIX = 'batch:';

/** The messages an outbox row holds: one (its subject, payload and id), or those of an `addMany` row. */
export function outboxMessages(row: { readonly id: string; readonly subject: string; readonly payload: unknown }): OutboxCommand[] {
  if (row.id.startsWith(OUTBOX_BATCH_PREFIX) && Array.isArray(row.payload)) return row.payload as OutboxCommand[];
  return [{ subject: row.subject, payload: row.payload as object, msgID: row.id }];
}

/** A message for JetStream; its msgID is the outbox row's id. */
export interface OutboxCommand {
  readonly subject: string;
  readonly payload: object;
  readonly msgID: string;
}
