import { Logger } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { JetStreamInboundMessage } from './inbound-message';
import type { InboundMessage } from './inbound-message';
import type { JetStreamConnection } from './jetstream-connection';

export interface ConsumptionHandle {
  readonly streamName: string;
  readonly consumerName: string;
  /** Stops pulling, hands back messages not yet started, waits for in-flight handlers. */
  stop(): Promise<void>;
}

export interface PullSettings {
  /** How many messages the client keeps requested from the server. */
  readonly maxMessages: number;
  /** Lifetime of one pull request; the client renews it. At least 1000. */
  readonly expiresMs: number;
  /** nak delay for the messages a failing handler left unsettled. */
  readonly retryDelayMs: number;
}

/** The pull iterator, typed here because its nats-core base type does not resolve (it would be `any`). */
export interface PulledMessages extends AsyncIterable<JsMsg> {
  close(): Promise<void | Error>;
}

const RESTART_DELAY_MS = 1000;

/**
 * Pulls from a durable consumer with `consume()` and survives everything but stop(): a failed
 * pull or a vanished consumer restarts the loop after a pause. Subclasses decide how messages
 * reach the handler. Back-pressure comes from not asking the iterator for more: the client
 * queues its next pull request behind the messages we have not taken yet.
 */
export abstract class ConsumptionLoop implements ConsumptionHandle {
  protected readonly logger: Logger;
  protected stopping = false;
  private messages: PulledMessages | null = null;
  private running: Promise<void> = Promise.resolve();
  private wakeFromPause: (() => void) | null = null;

  constructor(
    private readonly connection: JetStreamConnection,
    readonly streamName: string,
    readonly consumerName: string,
    protected readonly settings: PullSettings,
  ) {
    this.logger = new Logger(`${this.constructor.name}:${consumerName}`);
  }

  /** Resolves once the first pull is open, so a missing consumer fails the caller at start. */
  async start(): Promise<void> {
    const first = await this.open();
    this.running = this.run(first);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    void this.messages?.close();
    this.wakeFromPause?.();
    this.onStop();
    await this.running;
  }

  /** Feeds messages to the handler until the iterator ends; messages seen after stop() are nak'd. */
  protected abstract pump(messages: PulledMessages): Promise<void>;
  /** Wakes the pump if it is waiting for a handler to finish. */
  protected onStop(): void {}
  /** Waits for every handler started, and hands back messages taken but not started. */
  protected abstract settle(): Promise<void>;

  protected wrap(msg: JsMsg): JetStreamInboundMessage {
    return new JetStreamInboundMessage(msg, this.logger, this.connection.supportsTermReason);
  }

  /** Runs the handler; a throw is logged and the messages it left unsettled are nak'd. */
  protected async invoke(messages: readonly InboundMessage[], handler: () => Promise<void>): Promise<void> {
    let failure: unknown = null;
    try {
      await handler();
    } catch (error) {
      failure = error;
    }
    const unsettled = messages.filter((message) => !message.settled);
    this.handBack(unsettled, this.settings.retryDelayMs);
    if (failure !== null) {
      this.logger.error({ msg: 'handler failed; the messages it left unsettled will be redelivered', err: failure, messages: messages.length, unsettled: unsettled.length });
    } else if (unsettled.length > 0) {
      this.logger.warn({ msg: 'handler returned without settling every message; those were nak\'d', messages: messages.length, unsettled: unsettled.length });
    }
  }

  /** nak()s for redelivery; if NATS is gone the server redelivers after ack_wait anyway. */
  protected handBack(messages: Iterable<{ nak(delayMs?: number): void }>, delayMs?: number): void {
    try {
      for (const message of messages) message.nak(delayMs);
    } catch (error) {
      this.logger.warn({ msg: 'could not hand messages back; they will be redelivered after ack_wait', err: error });
    }
  }

  private async open(): Promise<PulledMessages> {
    const consumer = await this.connection.js.consumers.get(this.streamName, this.consumerName);
    const messages: PulledMessages = await consumer.consume({ max_messages: this.settings.maxMessages, expires: this.settings.expiresMs });
    this.messages = messages;
    if (this.stopping) void messages.close();
    return messages;
  }

  private async run(first: PulledMessages): Promise<void> {
    let messages: PulledMessages | null = first;
    while (!this.stopping && !this.connection.nc.isClosed()) {
      try {
        messages ??= await this.open();
        await this.pump(messages);
        if (!this.stopping && !this.connection.nc.isClosed()) this.logger.warn({ msg: 'pull ended; restarting', stream: this.streamName });
      } catch (error) {
        if (this.stopping || this.connection.nc.isClosed()) break;
        this.logger.error({ msg: 'pull failed; restarting', err: error, stream: this.streamName });
      }
      messages = null;
      await this.pause(RESTART_DELAY_MS);
    }
    await this.settle();
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wakeFromPause?.(), ms);
      this.wakeFromPause = () => {
        clearTimeout(timer);
        this.wakeFromPause = null;
        resolve();
      };
    });
  }
}
