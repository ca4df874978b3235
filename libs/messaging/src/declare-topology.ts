import { Logger } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { ConsumerConfig, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import type { Topology } from '@hookledger/contracts';
import { consumerDefinitions, streamDefinitions } from './jetstream-topology';
import type { ConsumerDefinition, StreamDefinition } from './jetstream-topology';

const logger = new Logger('JetStreamTopology');

/** Server error codes for "created meanwhile with another config" (stream; consumer before/after 2.10). */
const ALREADY_EXISTS = new Set([10058, 10013, 10148]);

const STREAM_FIELDS = ['subjects', 'retention', 'storage', 'duplicate_window', 'max_age'] as const;
const IMMUTABLE_STREAM_FIELDS: ReadonlySet<string> = new Set(['retention', 'storage']);
const CONSUMER_FIELDS = ['ack_policy', 'deliver_policy', 'filter_subject', 'ack_wait', 'max_deliver', 'max_ack_pending'] as const;
const IMMUTABLE_CONSUMER_FIELDS: ReadonlySet<string> = new Set(['ack_policy', 'deliver_policy']);

export type Declared = 'created' | 'updated' | 'unchanged';

/**
 * Adds what is missing and updates what differs. Safe when several processes start at once:
 * an identical add is a no-op on the server, and losing a create race falls back to an update.
 */
export async function declareTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  for (const stream of streamDefinitions(topology)) await ensureStream(jsm, stream);
  for (const consumer of consumerDefinitions(topology)) await ensureConsumer(jsm, consumer);
}

export async function ensureStream(jsm: JetStreamManager, wanted: StreamDefinition): Promise<Declared> {
  const outcome = await upsert({
    kind: 'stream',
    name: wanted.name,
    read: () => jsm.streams.info(wanted.name).then((info) => info.config),
    add: () => jsm.streams.add({ ...wanted, subjects: [...wanted.subjects] }),
    differences: (current: StreamConfig) => STREAM_FIELDS.filter((field) => !same(current[field], wanted[field])),
    immutable: IMMUTABLE_STREAM_FIELDS,
    update: () => jsm.streams.update(wanted.name, { description: wanted.description, subjects: [...wanted.subjects], duplicate_window: wanted.duplicate_window, max_age: wanted.max_age }),
  });
  log(outcome, { stream: wanted.name });
  return outcome;
}

export async function ensureConsumer(jsm: JetStreamManager, wanted: ConsumerDefinition): Promise<Declared> {
  const { stream, config } = wanted;
  const { ack_policy: _ack, deliver_policy: _deliver, durable_name: _name, ...updatable } = config;
  const outcome = await upsert({
    kind: 'consumer',
    name: `${stream}/${config.durable_name}`,
    read: () => jsm.consumers.info(stream, config.durable_name).then((info) => info.config),
    add: () => jsm.consumers.add(stream, { ...config }),
    differences: (current: ConsumerConfig) => CONSUMER_FIELDS.filter((field) => !same(current[field], config[field])),
    immutable: IMMUTABLE_CONSUMER_FIELDS,
    update: () => jsm.consumers.update(stream, config.durable_name, updatable),
  });
  log(outcome, { stream, consumer: config.durable_name });
  return outcome;
}

interface Upsert<C> {
  readonly kind: 'stream' | 'consumer';
  readonly name: string;
  read(): Promise<C>;
  add(): Promise<unknown>;
  differences(current: C): readonly string[];
  readonly immutable: ReadonlySet<string>;
  update(): Promise<unknown>;
}

async function upsert<C>(spec: Upsert<C>): Promise<Declared> {
  for (let attempt = 1; ; attempt++) {
    const current = await spec.read().catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw error;
    });
    if (current === null) {
      try {
        await spec.add();
        return 'created';
      } catch (error) {
        if (attempt === 1 && isAlreadyExists(error)) continue; // another process won the race
        throw new Error(`cannot create JetStream ${spec.kind} ${spec.name}: ${messageOf(error)}`, { cause: error });
      }
    }
    const differences = spec.differences(current);
    if (differences.length === 0) return 'unchanged';
    const fixed = differences.filter((field) => spec.immutable.has(field));
    if (fixed.length > 0) {
      throw new Error(`JetStream ${spec.kind} ${spec.name} exists with a different ${fixed.join(', ')}, which cannot be changed in place: delete it or use another namespace`);
    }
    try {
      await spec.update();
      return 'updated';
    } catch (error) {
      throw new Error(`cannot update JetStream ${spec.kind} ${spec.name} (${differences.join(', ')}): ${messageOf(error)}`, { cause: error });
    }
  }
}

function same(current: unknown, wanted: unknown): boolean {
  if (Array.isArray(current) || Array.isArray(wanted)) {
    const sorted = (value: unknown) => (Array.isArray(value) ? [...value].sort().join('\n') : '');
    return sorted(current) === sorted(wanted);
  }
  // The server omits empty values: an absent filter equals "no filter".
  return (current === '' ? undefined : current) === (wanted === '' ? undefined : wanted);
}

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound);
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof JetStreamApiError && ALREADY_EXISTS.has(error.code);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function log(outcome: Declared, fields: Record<string, string>): void {
  if (outcome === 'unchanged') logger.debug({ msg: 'JetStream declaration up to date', ...fields });
  else logger.log({ msg: `JetStream declaration ${outcome}`, ...fields });
}
