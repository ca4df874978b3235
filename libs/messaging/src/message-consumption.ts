import { ConsumptionLoop } from './consumption-loop';
import type { PulledMessages, PullSettings } from './consumption-loop';
import type { JetStreamConnection } from './jetstream-connection';
import type { InboundMessage } from './inbound-message';

/**
 * Handles one message. `release(units)` gives back units of the message's weight as its parts
 * finish (the rest is given back when the handler settles); `release(0)` only wakes the pump to
 * ask `admit` again.
 */
export type MessageHandler = (message: InboundMessage, release: (units: number) => void) => Promise<void>;

export interface WeightedAdmission {
  /** Units of work a message holds (at least 1; e.g. the deliveries of a batch command). Default 1. */
  readonly weigh?: (message: InboundMessage) => number;
  /**
   * A further condition for taking the next message (e.g. a bound on work parked by handlers),
   * asked even when no weight is held: work parked without weight is what it bounds. Whoever makes
   * it true again must wake the pump with `release(0)`.
   */
  readonly admit?: () => boolean;
  /** How many messages the client keeps requested from the server; default maxInFlight. */
  readonly pullMessages?: number;
}

/**
 * Handler calls run concurrently while the weight of the messages in flight (units not released
 * yet) stays under maxInFlight; a message is taken whenever it is under, however heavy, so one
 * larger than the bound still runs. With the default weight 1, that is up to maxInFlight calls.
 */
export class MessageConsumption extends ConsumptionLoop {
  private readonly inFlight = new Set<Promise<void>>();
  private slotFreed: (() => void) | null = null;
  private load = 0;

  constructor(
    connection: JetStreamConnection,
    streamName: string,
    consumerName: string,
    private readonly handler: MessageHandler,
    private readonly maxInFlight: number,
    settings: Omit<PullSettings, 'maxMessages'>,
    private readonly admission: WeightedAdmission = {},
  ) {
    super(connection, streamName, consumerName, { ...settings, maxMessages: admission.pullMessages ?? maxInFlight });
  }

  protected async pump(messages: PulledMessages): Promise<void> {
    for await (const msg of messages) {
      while (!this.stopping && (this.load >= this.maxInFlight || this.admission.admit?.() === false)) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
      }
      if (this.stopping) {
        this.handBack([msg]);
        continue;
      }
      const message = this.wrap(msg);
      let held = Math.max(1, Math.floor(this.admission.weigh?.(message) ?? 1));
      this.load += held;
      const release = (units: number): void => {
        const given = Math.max(0, Math.min(units, held));
        held -= given;
        this.load -= given;
        this.freeSlot();
      };
      const run: Promise<void> = this.invoke([message], () => this.handler(message, release)).finally(() => {
        release(held);
        this.inFlight.delete(run);
      });
      this.inFlight.add(run);
    }
  }

  protected override onStop(): void {
    this.freeSlot();
  }

  protected async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private freeSlot(): void {
    const resolve = this.slotFreed;
    this.slotFreed = null;
    resolve?.();
  }
}
