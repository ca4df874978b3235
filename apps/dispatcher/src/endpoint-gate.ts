/**
 * Caps concurrent sends per endpoint, so one slow receiver can hold at most its share of the
 * dispatcher's global concurrency and the other endpoints keep flowing.
 */
export class EndpointGate {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly perEndpoint: number) {}

  async run<T>(endpointId: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(endpointId);
    try {
      return await work();
    } finally {
      this.release(endpointId);
    }
  }

  private acquire(endpointId: string): Promise<void> {
    const current = this.inFlight.get(endpointId) ?? 0;
    if (current < this.perEndpoint) {
      this.inFlight.set(endpointId, current + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(endpointId) ?? [];
      queue.push(resolve);
      this.waiting.set(endpointId, queue);
    });
  }

  private release(endpointId: string): void {
    const queue = this.waiting.get(endpointId);
    const next = queue?.shift();
    if (next) {
      if (queue!.length === 0) this.waiting.delete(endpointId);
      next(); // the slot passes straight to the next waiter
      return;
    }
    const current = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (current === 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, current);
  }
}
