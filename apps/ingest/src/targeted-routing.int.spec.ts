import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { IngestCommand } from '@hookledger/contracts';
import { newId } from '@hookledger/domain';
import type { InboundMessage } from '@hookledger/messaging';
import { TestInfrastructure } from '@hookledger/testing';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { SubscriptionCache } from './subscription-cache';

let infrastructure: TestInfrastructure;
let app: TestingModule;
let db: DataSource;
let ingest: IngestService;

class FakeMessage implements InboundMessage {
  readonly msgId = null;
  readonly streamSequence = 0;
  readonly redeliveryCount = 0;
  readonly settlements: string[] = [];
  readonly subject = infrastructure.topology.subjects.ingest;
  constructor(readonly data: unknown) {}
  get settled(): boolean {
    return this.settlements.length > 0;
  }
  ack(): void {
    this.settlements.push('ack');
  }
  nak(): void {
    this.settlements.push('nak');
  }
  term(): void {
    this.settlements.push('term');
  }
  working(): void {}
}

beforeAll(async () => {
  infrastructure = await TestInfrastructure.create();
  app = await infrastructure.compile({ providers: [IngestService, IngestRepository, SubscriptionCache] });
  await app.init();
  db = app.get(DataSource);
  ingest = app.get(IngestService);
});

afterAll(async () => {
  await infrastructure?.close();
});

async function createEndpoint(fields: { event_types?: string[]; active?: boolean; adhoc?: boolean; deleted?: boolean } = {}): Promise<string> {
  const id = newId('ep');
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO endpoints (id, url, event_types, active, adhoc, deleted_at, secrets, version)
       VALUES ($1, 'https://receiver.example/hooks', $2, $3, $4, $5, '[]'::jsonb, 1)`,
      [id, fields.event_types ?? null, fields.active ?? true, fields.adhoc ?? false, fields.deleted ? new Date() : null],
    );
    await tx.query(`UPDATE subscription_index SET version = version + 1 WHERE id = 1`);
  });
  return id;
}

async function ingestOne(overrides: Partial<IngestCommand> & Record<string, unknown>): Promise<{ id: string; settlements: string[] }> {
  const command = { v: 1, id: newId('msg'), type: 'invoice.paid', timestamp: new Date().toISOString(), data: { n: 1 }, ...overrides };
  const message = new FakeMessage(command);
  await ingest.handleBatch([message]);
  return { id: command.id, settlements: message.settlements };
}

const routedTo = async (messageId: string): Promise<string[]> =>
  (await db.query(`SELECT endpoint_id FROM deliveries WHERE message_id = $1 ORDER BY endpoint_id`, [messageId])).map((row: { endpoint_id: string }) => row.endpoint_id);

describe('targeted routing (endpoint_ids)', () => {
  it('delivers only to the targeted endpoints, whatever the subscriptions say, skipping inactive and deleted ones', async () => {
    const subscribed = await createEndpoint({ event_types: ['invoice.*'] });
    const otherType = await createEndpoint({ event_types: ['customer.*'] });
    const inactive = await createEndpoint({ active: false });
    const deleted = await createEndpoint({ deleted: true });

    const event = await ingestOne({ endpoint_ids: [otherType, inactive, deleted, otherType] });

    expect(event.settlements).toEqual(['ack']);
    expect(await routedTo(event.id)).toEqual([otherType]);
    expect(await routedTo(event.id)).not.toContain(subscribed);
  });

  it('never matches an ad-hoc endpoint by subscription, but delivers to it when targeted', async () => {
    const adhoc = await createEndpoint({ adhoc: true });
    const subscribed = await createEndpoint();

    const broadcast = await ingestOne({});
    expect(await routedTo(broadcast.id)).toContain(subscribed);
    expect(await routedTo(broadcast.id)).not.toContain(adhoc);

    const targeted = await ingestOne({ endpoint_ids: [adhoc] });
    expect(await routedTo(targeted.id)).toEqual([adhoc]);
  });

  it('terminates a command whose endpoint_ids are not endpoint ids', async () => {
    for (const endpointIds of [[], ['not-an-id'], 'ep_01JD', Array.from({ length: 101 }, () => newId('ep'))]) {
      const event = await ingestOne({ endpoint_ids: endpointIds as string[] });
      expect(event.settlements).toEqual(['term']);
    }
  });
});
