import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { HookledgerConfig } from '@hookledger/config';
import { topology as topologyFor } from '@hookledger/contracts';
import type { Topology } from '@hookledger/contracts';
import { declareTopology } from './declare-topology';

/**
 * The part of the NATS connection we use, spelled out: under this repository's
 * `moduleResolution: node`, @nats-io/nats-core's types (re-exported through its `./internal`
 * export) do not resolve and the connection would silently be `any`.
 */
export interface NatsConnection {
  readonly info?: { readonly version: string };
  getServer(): string;
  isClosed(): boolean;
  isDraining(): boolean;
  close(): Promise<void>;
  drain(): Promise<void>;
  status(): AsyncIterable<{ readonly type: string; readonly server?: string; readonly error?: Error; readonly pending?: number }>;
  subscribe(subject: string, options: { callback: (error: Error | null, message: { readonly subject: string; readonly data: Uint8Array }) => void }): { unsubscribe(): void };
}

/**
 * The process's one NATS connection, its JetStream contexts, and the namespace's topology
 * (declared before anything can use it). Drained when the application shuts down — after every
 * consumer has stopped, because Nest runs all beforeApplicationShutdown hooks first.
 */
export class JetStreamConnection implements OnApplicationShutdown {
  private static readonly logger = new Logger(JetStreamConnection.name);
  private connected = true;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly topology: Topology,
  ) {
    void this.watchStatus();
  }

  static async open(config: HookledgerConfig, applicationName: string): Promise<JetStreamConnection> {
    const nc = await connect({
      servers: config.natsUrl.split(','),
      name: `hookledger-${applicationName}`,
      // Once started, ride out NATS restarts instead of dying; the first connect still fails fast.
      maxReconnectAttempts: -1,
      // Otherwise the client builds two Error objects with stack traces for every request (each
      // JetStream publish): a quarter of the api-gateway's and ingest's CPU in the benchmark profile.
      noAsyncTraces: true,
    }).catch((error: unknown) => {
      throw new Error(`cannot connect to NATS at NATS_URL (${redact(config.natsUrl)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    try {
      const jsm = await jetstreamManager(nc);
      const topology = topologyFor(config.natsNamespace);
      await declareTopology(jsm, topology);
      this.logger.log({ msg: 'connected to NATS JetStream', server: nc.getServer(), version: nc.info?.version, namespace: topology.namespace });
      return new JetStreamConnection(nc, jetstream(nc), jsm, topology);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  get isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  /** `+TERM <reason>` is understood from nats-server 2.10.4; older servers ignore it entirely and redeliver. */
  get supportsTermReason(): boolean {
    const [major = 0, minor = 0, patch = 0] = (this.nc.info?.version ?? '').split('.').map((part: string) => parseInt(part, 10) || 0);
    return major * 1e6 + minor * 1e3 + patch >= 2_010_004;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
    JetStreamConnection.logger.log({ msg: 'NATS connection drained' });
  }

  private async watchStatus(): Promise<void> {
    const logger = JetStreamConnection.logger;
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        logger.warn({ msg: 'NATS disconnected', server: status.server });
      } else if (status.type === 'reconnect') {
        this.connected = true;
        logger.log({ msg: 'NATS reconnected', server: status.server });
      } else if (status.type === 'error') {
        logger.error({ msg: 'NATS error', err: status.error });
      } else if (status.type === 'slowConsumer') {
        logger.warn({ msg: 'NATS slow consumer', pending: status.pending });
      }
    }
  }
}

function redact(urls: string): string {
  return urls.replace(/\/\/[^@/]*@/g, '//[redacted]@');
}
