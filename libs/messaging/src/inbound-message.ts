import type { Logger } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';

/**
 * A message pulled from a durable consumer. The handler settles every message it is given —
 * ack, nak or term — before its promise resolves; the consumption loop naks whatever is left.
 */
export interface InboundMessage {
  readonly subject: string;
  /** The parsed JSON body, or the Error met parsing it (a poison message: term() it). */
  readonly data: unknown;
  /** The publisher's `Nats-Msg-Id`, when it gave one. */
  readonly msgId: string | null;
  readonly streamSequence: number;
  /** 0 on the first delivery. */
  readonly redeliveryCount: number;
  readonly settled: boolean;
  ack(): void;
  /** Redeliver, after `delayMs` if given. Only for short transient back-off. */
  nak(delayMs?: number): void;
  /** Never redeliver: a poison message. The reason is logged. */
  term(reason: string): void;
  /** Restart the ack timer for a long-running send. */
  working(): void;
}

export class JetStreamInboundMessage implements InboundMessage {
  readonly data: unknown;
  private done = false;

  constructor(
    private readonly msg: JsMsg,
    private readonly logger: Logger,
    private readonly termWithReason: boolean,
  ) {
    try {
      this.data = msg.json();
    } catch (error) {
      this.data = error instanceof Error ? error : new Error(String(error));
    }
  }

  get subject(): string {
    return this.msg.subject;
  }
  get msgId(): string | null {
    const id: unknown = this.msg.headers?.get('Nats-Msg-Id');
    return typeof id === 'string' && id !== '' ? id : null;
  }
  get streamSequence(): number {
    return this.msg.seq;
  }
  get redeliveryCount(): number {
    return this.msg.info.deliveryCount - 1;
  }
  get settled(): boolean {
    return this.done;
  }

  ack(): void {
    this.settle(() => this.msg.ack());
  }

  nak(delayMs?: number): void {
    this.settle(() => this.msg.nak(delayMs));
  }

  term(reason: string): void {
    this.settle(() => {
      this.logger.warn({ msg: 'message terminated: it will not be redelivered', reason, subject: this.subject, msg_id: this.msgId, stream_seq: this.streamSequence, redeliveries: this.redeliveryCount });
      this.msg.term(this.termWithReason ? reason : undefined);
    });
  }

  working(): void {
    if (!this.done) this.msg.working();
  }

  private settle(send: () => void): void {
    if (this.done) return;
    this.done = true;
    send();
  }
}
