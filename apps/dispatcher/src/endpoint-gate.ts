/** Commands an endpoint at its concurrency cap may have waiting, first come first served. */
const MAX_WAITING_PER_ENDPOINT = 64;

/**
 * Caps concurrent sends per endpoint. Commands beyond the cap wait in a short FIFO queue, so an
 * endpoint's deliveries go out in the order they were dispatched (resuming a paused endpoint
 * drains it in publication order). The queue is bounded: a waiting command holds one of the
 * consumer's in-flight slots, and one slow receiver must not take them all from the others —
 * past the bound, `run` refuses and the caller hands the command back to JetStream.
 */
export class EndpointGate {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly perEndpoint: number) {}

  /** Runs `work` once a slot is free; null (work not run) when the endpoint's queue is full. */
  run<T>(endpointId: string, work: () => Promise<T>): Promise<T> | null {
    const slot = this.acquire(endpointId);
    if (!slot) return null;
    return slot.then(async () => {
      try {
        return await work();
      } finally {
        this.release(endpointId);
      }
    });
  }

  private acquire(endpointId: string): Promise<void> | null {
    const current = this.inFlight.get(endpointId) ?? 0;
    if (current < this.perEndpoint) {
      this.inFlight.set(endpointId, current + 1);
      return Promise.resolve();
    }
    const queue = this.waiting.get(endpointId) ?? [];
    if (queue.length >= MAX_WAITING_PER_ENDPOINT) return null;
    this.waiting.set(endpointId, queue);
    return new Promise((resolve) => queue.push(resolve));
  }

  private release(endpointId: string): void {
    const queue = this.waiting.get(endpointId);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(endpointId);
    if (next) return next(); // the slot passes straight to the next in line
    const current = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (current <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, current);
  }
}
