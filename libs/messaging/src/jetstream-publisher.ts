import { Injectable } from '@nestjs/common';
import { JetStreamConnection } from './jetstream-connection';

export interface PublishRequest {
  readonly subject: string;
  readonly payload: object;
  /** Deduplication key: a second publish with the same msgID inside the stream's window is dropped. */
  readonly msgID: string;
}

export interface PublishResult {
  /** True when JetStream already held a message with this msgID; nothing new was stored. */
  readonly duplicate: boolean;
  readonly seq: number;
}

const MAX_IN_FLIGHT = 256;

/** Publishes JSON to JetStream; every promise resolves only once the stream has stored the message. */
@Injectable()
export class JetStreamPublisher {
  constructor(private readonly connection: JetStreamConnection) {}

  async publish(subject: string, payload: object, msgID: string): Promise<PublishResult> {
    try {
      const ack = await this.connection.js.publish(subject, JSON.stringify(payload), { msgID });
      return { duplicate: ack.duplicate, seq: ack.seq };
    } catch (error) {
      throw new Error(`JetStream did not acknowledge the publish to ${subject} (msgID ${msgID}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /**
   * Publishes concurrently (at most maxInFlight at once) and resolves, in input order, when all
   * are acknowledged. On a failure it stops starting new publishes, lets the started ones finish
   * and rejects with the first error: the caller retries the whole set, duplicates being dropped.
   */
  async publishMany(requests: readonly PublishRequest[], maxInFlight = MAX_IN_FLIGHT): Promise<PublishResult[]> {
    const results = new Array<PublishResult>(requests.length);
    let next = 0;
    const errors: unknown[] = [];
    const worker = async () => {
      while (errors.length === 0 && next < requests.length) {
        const index = next++;
        const { subject, payload, msgID } = requests[index];
        try {
          results[index] = await this.publish(subject, payload, msgID);
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxInFlight, requests.length) }, worker));
    if (errors.length > 0) throw errors[0];
    return results;
  }
}
