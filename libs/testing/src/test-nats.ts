import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** The NATS server the tests run against (test/global-setup.ts finds or starts it). */
export function natsUrl(): string {
  return process.env.HOOKLEDGER_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A namespace of its own per spec (or test), so work sharing the server never sees each other's streams. */
export function uniqueNamespace(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Deletes every stream of the namespace, with its consumers. */
export async function deleteStreams(servers: string, namespace: string): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = `${namespace.toUpperCase()}_`;
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(prefix)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}
