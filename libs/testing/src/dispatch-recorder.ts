import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { DispatchBatchCommand, DispatchCommand, Topology } from '@hookledger/contracts';
import { natsUrl } from './test-nats';

/**
 * One delivery of a dispatch command as it crossed the server, with the msgID its message carried:
 * a v2 command (many deliveries) shows as one of these per delivery, each with `batch` its size.
 */
export interface PublishedDispatch {
  readonly msgId: string;
  readonly command: DispatchCommand;
  /** The number of deliveries of the v2 command it came in; undefined for a v1 command. */
  readonly batch?: number;
}

/** A stored or published dispatch command as one v1-shaped command per delivery. */
function perDelivery(command: DispatchCommand | DispatchBatchCommand): DispatchCommand[] {
  if (command.v !== 2) return [command];
  return command.deliveries.map((item) => ({ v: 1, ...item }));
}

/** The part of a core NATS connection used here (@nats-io/nats-core's own types do not resolve under `moduleResolution: node`). */
interface Subscriber {
  subscribe(subject: string, options: { callback(error: Error | null, msg: { headers?: { get(key: string): string }; json(): unknown }): void }): unknown;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every publish on a namespace's dispatch subject as it crosses the server, duplicates included.
 * JetStream silently drops a second publish of the same msgID, so the stream alone cannot show a
 * command sent twice; this can. It also reads what the COMMANDS stream kept, for comparison.
 */
export class DispatchRecorder {
  private readonly records: PublishedDispatch[] = [];

  private constructor(private readonly nc: Subscriber, private readonly jsm: JetStreamManager, private readonly topology: Topology) {}

  static async start(topology: Topology): Promise<DispatchRecorder> {
    const raw = await connect({ servers: natsUrl(), name: `hookledger-test-dispatch-recorder-${topology.namespace}` });
    const nc: Subscriber = raw;
    const recorder = new DispatchRecorder(nc, await jetstreamManager(raw), topology);
    nc.subscribe(topology.subjects.dispatch, {
      callback: (error, msg) => {
        if (error) return;
        const command = msg.json() as DispatchCommand | DispatchBatchCommand;
        const msgId = msg.headers?.get('Nats-Msg-Id') ?? '';
        for (const single of perDelivery(command)) recorder.records.push({ msgId, command: single, ...(command.v === 2 ? { batch: command.deliveries.length } : {}) });
      },
    });
    await nc.flush();
    return recorder;
  }

  /** Every publish so far; the server relays whatever was published before the call first. */
  async published(): Promise<PublishedDispatch[]> {
    await this.nc.flush();
    return [...this.records];
  }

  /** How many dispatch commands (messages, whatever number of deliveries each carries) the COMMANDS stream holds. */
  async storedCount(): Promise<number> {
    const { streams, subjects } = this.topology;
    const info = await this.jsm.streams.info(streams.commands, { subjects_filter: subjects.dispatch });
    return info.state.subjects?.[subjects.dispatch] ?? 0;
  }

  /** The dispatch commands the COMMANDS stream holds, one per delivery, read one by one: only for streams nothing consumes. */
  async stored(): Promise<DispatchCommand[]> {
    const { streams, subjects } = this.topology;
    const { state } = await this.jsm.streams.info(streams.commands);
    const seqs = Array.from({ length: Math.max(0, state.last_seq - state.first_seq + 1) }, (_, i) => state.first_seq + i);
    const stored = await Promise.all(seqs.map((seq) => this.jsm.streams.getMessage(streams.commands, { seq })));
    return stored.filter((msg) => msg?.subject === subjects.dispatch).flatMap((msg) => perDelivery(msg!.json<DispatchCommand | DispatchBatchCommand>()));
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}
