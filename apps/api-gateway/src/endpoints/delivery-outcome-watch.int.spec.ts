import { connect } from '@nats-io/transport-node';
import type { TestingModule } from '@nestjs/testing';
import { operationalEvent, topology } from '@hookledger/contracts';
import { JetStreamConnection } from '@hookledger/messaging';
import { compileTestModule, deleteStreams, natsUrl, uniqueNamespace } from '@hookledger/testing';
import { DeliveryOutcomeWatch } from './delivery-outcome-watch';

/** A test send waits on the bus for its delivery's outcome, not on the database. */
describe('DeliveryOutcomeWatch', () => {
  const namespace = uniqueNamespace();
  let moduleRef: TestingModule;
  let watch: DeliveryOutcomeWatch;
  let publisher: Awaited<ReturnType<typeof connect>>;

  beforeAll(async () => {
    moduleRef = await (await compileTestModule({ namespace, name: 'outcome-watch', providers: [DeliveryOutcomeWatch] })).init();
    watch = moduleRef.get(DeliveryOutcomeWatch);
    expect(moduleRef.get(JetStreamConnection).isConnected).toBe(true);
    publisher = await connect({ servers: natsUrl() });
  });

  afterAll(async () => {
    await publisher?.close();
    await moduleRef?.close();
    await deleteStreams(natsUrl(), namespace);
  });

  const announce = async (name: 'delivery.succeeded' | 'delivery.failed' | 'delivery.exhausted', eventId: string) => {
    publisher.publish(topology(namespace).subjects.eventFor(name), JSON.stringify(operationalEvent(name, { delivery_id: 'dlv_x', event_id: eventId })));
    await publisher.flush();
  };

  it("wakes a watcher on an outcome of its event's delivery, and only of its own", async () => {
    const mine = watch.watch('msg_mine');
    const other = watch.watch('msg_other');
    const woken = mine.next(60_000);
    await announce('delivery.failed', 'msg_unrelated');
    await announce('delivery.succeeded', 'msg_mine');
    expect(await woken).toBe(true);
    // msg_other heard nothing: one subscription gets the announcements in order, so by the time
    // msg_mine's woke its watcher, msg_unrelated's had been handled too.
    expect(await other.next(0)).toBe(false);
    mine.close();
    other.close();
  });

  it('keeps news that comes before the watcher waits (the outcome can beat the first look at the database)', async () => {
    const witness = watch.watch('msg_early');
    const early = watch.watch('msg_early');
    const heard = witness.next(60_000);
    await announce('delivery.exhausted', 'msg_early');
    expect(await heard).toBe(true);
    // The same announcement reached `early` before it started to wait: it still answers news, at once.
    expect(await early.next(0)).toBe(true);
    witness.close();
    early.close();
  });

  it('releases a waiting watcher when closed, answering no news', async () => {
    const watcher = watch.watch('msg_closed');
    const waiting = watcher.next(60_000);
    watcher.close();
    expect(await waiting).toBe(false);
  });
});
