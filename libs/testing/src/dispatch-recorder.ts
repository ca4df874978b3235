import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { DispatchCommand, Topology } from '@hookledger/contracts';
import { natsUrl } from './test-nats';

/** One publish of a dispatch command as it crossed the server, with the msgID it carried. */
export interface PublishedDispatch {
  readonly msgId: string;
  readonly command: DispatchCommand;
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
        if (!error) recorder.records.push({ msgId: msg.headers?.get('Nats-Msg-Id') ?? '', command: msg.json() as DispatchCommand });
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

  /** How many dispatch commands the COMMANDS stream holds. */
  async storedCount(): Promise<number> {
    const { streams, subjects } = this.topology;
    const info = await this.jsm.streams.info(streams.commands, { subjects_filter: subjects.dispatch });
    return info.state.subjects?.[subjects.dispatch] ?? 0;
  }

  /** The dispatch commands the COMMANDS stream holds, read one by one: only for streams nothing consumes. */
  async stored(): Promise<DispatchCommand[]> {
    const { streams, subjects } = this.topology;
    const { state } = await this.jsm.streams.info(streams.commands);
    const seqs = Array.from({ length: Math.max(0, state.last_seq - state.first_seq + 1) }, (_, i) => state.first_seq + i);
    const stored = await Promise.all(seqs.map((seq) => this.jsm.streams.getMessage(streams.commands, { seq })));
    return stored.filter((msg) => msg?.subject === subjects.dispatch).map((msg) => msg!.json<DispatchCommand>());
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}
