import { Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { DispatchCommand, topology, Topology } from '@hookledger/contracts';
import {
  attemptRefusal, classifyResponse, decideAttemptRecorded, DeliveryEvent, newId, webhookBody, webhookHeaders,
} from '@hookledger/domain';
import { InboundMessage, JetStreamPublisher } from '@hookledger/messaging';
import { SecretCipher } from '@hookledger/secrets';
import { AttemptRecorder, stateOf } from './attempt-recorder';
import { DeliveryLoader, DispatchContext } from './delivery-loader';
import { EndpointGate } from './endpoint-gate';
import { WebhookSender } from './http/webhook-sender';

/**
 * One dispatch command: load the delivery, refuse stale duplicates, sign, send, classify, record,
 * then ack. The command is acked only after the attempt is durably recorded; a crash before that
 * redelivers it (at-least-once: the receiver dedups on webhook-id).
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly gate: EndpointGate;
  private readonly topology: Topology;
  private readonly secretCache = new Map<string, { version: number; secrets: string[] }>();

  constructor(
    private readonly loader: DeliveryLoader,
    private readonly recorder: AttemptRecorder,
    private readonly sender: WebhookSender,
    private readonly cipher: SecretCipher,
    private readonly publisher: JetStreamPublisher,
    private readonly config: HookledgerConfig,
  ) {
    this.gate = new EndpointGate(config.delivery.perEndpointConcurrency);
    this.topology = topology(config.natsNamespace);
  }

  async handle(message: InboundMessage): Promise<void> {
    const command = message.data as DispatchCommand;
    if (message.data instanceof Error || typeof command?.delivery_id !== 'string' || !Number.isInteger(command.attempt)) {
      this.logger.error({ msg: 'dispatch command rejected', subject: message.subject });
      message.term('malformed dispatch command');
      return;
    }
    const context = await this.loader.load(command.delivery_id);
    if (!context) {
      this.logger.error({ msg: 'dispatch command for an unknown delivery', delivery_id: command.delivery_id });
      message.term('unknown delivery');
      return;
    }
    const refusal = attemptRefusal(stateOf(context), { attempt: command.attempt, trigger: command.trigger ?? 'scheduled' });
    if (refusal) {
      this.logger.debug({ msg: 'stale dispatch command skipped', delivery_id: context.delivery_id, reason: refusal });
      message.ack();
      return;
    }
    const events = context.endpoint_active && !context.endpoint_deleted
      ? await this.gate.run(context.endpoint_id, () => this.attempt(context, command, message))
      : endpointGone(context);
    const result = await this.recorder.record({ context, events });
    message.ack();
    if (result === 'recorded') this.publishOutcome(context, events);
  }

  private async attempt(context: DispatchContext, command: DispatchCommand, message: InboundMessage): Promise<readonly DeliveryEvent[]> {
    const timestamp = new Date();
    const body = webhookBody({ id: context.message_id, type: context.event_type, timestamp: context.message_timestamp, data: context.data });
    const headers = {
      ...context.headers,
      'content-type': 'application/json',
      ...webhookHeaders({ msgId: context.message_id, timestamp: Math.floor(timestamp.getTime() / 1000), body, secrets: this.secretsOf(context, timestamp) }),
    };
    const timeoutMs = context.timeout_ms ?? this.config.delivery.timeoutMs;
    // Keep JetStream from redelivering a command whose send is legitimately slow.
    const keepAlive = timeoutMs > 10_000 ? setInterval(() => message.working(), 10_000) : null;
    try {
      const answer = await this.sender.send({ url: context.url, headers, body, timeoutMs });
      const now = new Date();
      return decideAttemptRecorded({
        state: stateOf(context),
        attempt: {
          attempt_id: newId('att'),
          attempt: command.attempt,
          trigger: command.trigger ?? 'scheduled',
          url: context.url,
          started_at: timestamp,
          duration_ms: answer.durationMs,
          status_code: answer.statusCode,
          error: answer.error?.message ?? null,
          response_body: answer.responseBody,
        },
        classification: classifyResponse({ statusCode: answer.statusCode, error: answer.error, retryAfter: answer.retryAfter, now }),
        schedule: context.retry_schedule ?? this.config.delivery.retrySchedule,
        now,
        random: Math.random,
      });
    } finally {
      if (keepAlive) clearInterval(keepAlive);
    }
  }

  /** Decrypted secrets still valid at `now`, cached per endpoint version (decrypting per send is waste). */
  private secretsOf(context: DispatchContext, now: Date): string[] {
    const cached = this.secretCache.get(context.endpoint_id);
    const all = cached && cached.version === context.endpoint_version
      ? cached.secrets
      : context.secrets.map((secret) => this.cipher.open(secret.sealed));
    if (!cached || cached.version !== context.endpoint_version) this.secretCache.set(context.endpoint_id, { version: context.endpoint_version, secrets: all });
    return all.filter((_secret, i) => {
      const expiresAt = context.secrets[i]?.expires_at;
      return !expiresAt || new Date(expiresAt) > now;
    });
  }

  private publishOutcome(context: DispatchContext, events: readonly DeliveryEvent[]): void {
    for (const event of events) {
      const name = event.type === 'DeliverySucceeded' ? 'delivery.succeeded'
        : event.type === 'DeliveryRetryScheduled' ? 'delivery.failed'
        : event.type === 'DeliveryFailed' ? 'delivery.exhausted' : null;
      if (!name) continue;
      const attempted = events.find((e) => e.type === 'DeliveryAttempted');
      const data = attempted?.type === 'DeliveryAttempted' ? attempted.data : null;
      this.publisher
        .publishOperationalEvent(name, {
          delivery_id: context.delivery_id,
          event_id: context.message_id,
          event_type: context.event_type,
          endpoint_id: context.endpoint_id,
          attempt: data?.attempt ?? context.attempts,
          status_code: data?.status_code ?? null,
          error: data?.error ?? null,
          next_attempt_at: event.type === 'DeliveryRetryScheduled' ? event.data.next_attempt_at : null,
        })
        .catch((error: unknown) => this.logger.warn({ msg: 'operational event not published', delivery_id: context.delivery_id, err: error }));
    }
  }
}

/** A disabled or deleted endpoint receives nothing more: the delivery ends without an attempt. */
function endpointGone(context: DispatchContext): readonly DeliveryEvent[] {
  return [{ type: 'DeliveryFailed', data: { attempts: context.attempts, reason: context.endpoint_deleted ? 'endpoint_deleted' : 'endpoint_disabled' } }];
}
