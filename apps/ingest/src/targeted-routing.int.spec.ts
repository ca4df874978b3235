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

async function createEndpoint(fields: { event_types?: string[]; active?: boolean; adhoc?: boolean; deleted?: boolean; tenant_id?: string } = {}): Promise<string> {
  const id = newId('ep');
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO endpoints (id, url, event_types, active, adhoc, deleted_at, version, tenant_id)
       VALUES ($1, 'https://receiver.example/hooks', $2, $3, $4, $5, 1, $6)`,
      [id, fields.event_types ?? null, fields.active ?? true, fields.adhoc ?? false, fields.deleted ? new Date() : null, fields.tenant_id ?? 'default'],
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

const routedTo = async (messageId: string, tenantId = 'default'): Promise<string[]> =>
  (await db.query(`SELECT endpoint_id FROM deliveries WHERE message_id = $1 AND tenant_id = $2 ORDER BY endpoint_id`, [messageId, tenantId]))
    .map((row: { endpoint_id: string }) => row.endpoint_id);

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

  it("never delivers to another tenant's endpoint named in endpoint_ids, whoever put the command on the bus", async () => {
    const victim = await createEndpoint({ tenant_id: 'victim' });
    const own = await createEndpoint({ tenant_id: 'mallory' });

    const attack = await ingestOne({ tenant_id: 'mallory', endpoint_ids: [victim, own] });
    expect(attack.settlements).toEqual(['ack']);
    expect(await routedTo(attack.id, 'mallory')).toEqual([own]);
    const untenanted = await ingestOne({ endpoint_ids: [victim] });
    expect(await routedTo(untenanted.id)).toEqual([]);
    expect(await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1`, [victim])).toEqual([{ n: 0 }]);
    // The victim's own events still reach it.
    const legit = await ingestOne({ tenant_id: 'victim', endpoint_ids: [victim] });
    expect(await routedTo(legit.id, 'victim')).toEqual([victim]);
  });

  it('terminates a command whose endpoint_ids are not endpoint ids', async () => {
    for (const endpointIds of [[], ['not-an-id'], 'ep_01JD', Array.from({ length: 101 }, () => newId('ep'))]) {
      const event = await ingestOne({ endpoint_ids: endpointIds as string[] });
      expect(event.settlements).toEqual(['term']);
    }
  });
});
