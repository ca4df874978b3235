import { dispatchBatches, dispatchBatchMessageId, MAX_DISPATCH_BATCH } from './commands';

describe('dispatch batches', () => {
  const deliveries = Array.from({ length: MAX_DISPATCH_BATCH * 2 + 3 }, (_, n) => ({ id: `dlv_${n}`, version: 1 + (n % 3), attempt: 1 + (n % 2) }));

  it('chunk the deliveries in order into v2 commands of at most MAX_DISPATCH_BATCH', () => {
    const batches = dispatchBatches(deliveries, 'hooks.cmd.dispatch');
    expect(batches.map((batch) => batch.payload.deliveries.length)).toEqual([MAX_DISPATCH_BATCH, MAX_DISPATCH_BATCH, 3]);
    expect(batches.every((batch) => batch.subject === 'hooks.cmd.dispatch' && batch.payload.v === 2)).toBe(true);
    expect(batches.flatMap((batch) => batch.payload.deliveries)).toEqual(
      deliveries.map((delivery) => ({ delivery_id: delivery.id, attempt: delivery.attempt, trigger: 'scheduled' })),
    );
  });

  it('are keyed by their deliveries at their versions: a replay has the same msgID, a new state another', () => {
    const first = dispatchBatches(deliveries.slice(0, 10), 's')[0].msgID;
    expect(dispatchBatches(deliveries.slice(0, 10), 's')[0].msgID).toBe(first);
    expect(dispatchBatchMessageId(deliveries.slice(0, 10).map((delivery, n) => (n === 4 ? { ...delivery, version: delivery.version + 1 } : delivery)))).not.toBe(first);
    expect(dispatchBatchMessageId(deliveries.slice(0, 9))).not.toBe(first);
    expect(first).toMatch(/^batch:[A-Za-z0-9_-]{43}$/);
  });
});
