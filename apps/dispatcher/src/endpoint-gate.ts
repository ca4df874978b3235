/** Commands an endpoint at its concurrency cap may have waiting, first come first served (v1 commands). */
export const MAX_WAITING_PER_ENDPOINT = 64;

export interface GateOptions {
  /** How many may wait for this endpoint before `run` refuses; default MAX_WAITING_PER_ENDPOINT. */
  readonly maxWaiting?: number;
  /** Called (synchronously, in `run`) when the work has to wait for a slot. */
  readonly onWait?: () => void;
}

/**
 * Caps concurrent sends per endpoint. Work beyond the cap waits in a FIFO queue, so an endpoint's
 * deliveries go out in the order they were dispatched (resuming a paused endpoint drains it in
 * publication order). A single (v1) command waiting holds one of the consumer's in-flight slots,
 * so its queue is bounded: past MAX_WAITING_PER_ENDPOINT `run` refuses and the caller hands the
 * command back to JetStream, and one slow receiver cannot take every slot from the others. A
 * delivery of a batch command gives its slot back while it waits (`onWait`): its caller bounds
 * the total waiting (`waiting`) instead.
 */
export class EndpointGate {
  private readonly inFlight = new Map<string, number>();
  private readonly queues = new Map<string, (() => void)[]>();
  private waitingTotal = 0;

  constructor(private readonly perEndpoint: number) {}

  /** Work waiting for a slot, all endpoints together. */
  get waiting(): number {
    return this.waitingTotal;
  }

  /** Runs `work` once a slot is free; null (work not run) when the endpoint's queue is full. */
  run<T>(endpointId: string, work: () => Promise<T>, options: GateOptions = {}): Promise<T> | null {
    const slot = this.acquire(endpointId, options);
    if (!slot) return null;
    return slot.then(async () => {
      try {
        return await work();
      } finally {
        this.release(endpointId);
      }
    });
  }

  private acquire(endpointId: string, options: GateOptions): Promise<void> | null {
    const current = this.inFlight.get(endpointId) ?? 0;
    if (current < this.perEndpoint) {
      this.inFlight.set(endpointId, current + 1);
      return Promise.resolve();
    }
    const queue = this.queues.get(endpointId) ?? [];
    if (queue.length >= (options.maxWaiting ?? MAX_WAITING_PER_ENDPOINT)) return null;
    this.queues.set(endpointId, queue);
    this.waitingTotal++;
    options.onWait?.();
    return new Promise((resolve) => queue.push(resolve));
  }

  private release(endpointId: string): void {
    const queue = this.queues.get(endpointId);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.queues.delete(endpointId);
    if (next) {
      this.waitingTotal--;
      return next(); // the slot passes straight to the next in line
    }
    const current = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (current <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, current);
  }
}
