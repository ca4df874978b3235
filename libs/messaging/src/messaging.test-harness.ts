import type { TestingModule } from '@nestjs/testing';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { topology } from '@hookledger/contracts';
import type { Topology } from '@hookledger/contracts';
import { compileTestModule, natsUrl } from '@hookledger/testing';
import type { NatsConnection } from './jetstream-connection';

/** Test helpers for the integration specs of this library; not part of its public door. */

export { uniqueNamespace } from '@hookledger/testing';

/** Config and this library's module alone (no database), started. */
export async function startMessaging(namespace: string, applicationName = 'test'): Promise<TestingModule> {
  const moduleRef = await compileTestModule({ namespace, name: applicationName });
  return moduleRef.init();
}

/** A connection of the test's own, to look at the server from outside the module under test. */
export interface NatsObserver {
  readonly topology: Topology;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Deletes the namespace's streams (with their consumers), then closes. */
  close(): Promise<void>;
}

export async function observe(namespace: string): Promise<NatsObserver> {
  const raw = await connect({ servers: natsUrl(), name: `hookledger-test-observer-${namespace}` });
  const nc: NatsConnection = raw;
  const jsm = await jetstreamManager(raw);
  const t = topology(namespace);
  return {
    topology: t,
    js: jetstream(raw),
    jsm,
    close: async () => {
      for (const stream of Object.values(t.streams)) await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

/**
 * Re-checks an assertion until it holds. Only for state the server settles on its own time
 * (acks are applied asynchronously), where there is no event to await.
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A promise with its resolve handle, to await what a handler sees. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
