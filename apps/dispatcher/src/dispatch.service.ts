import { Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import type { DispatchCommand } from '@hookledger/contracts';
import {
  attemptRefusal, circuitAllows, classifyResponse, decideAttemptRecorded, DeferralReason, DeliveryEvent, newId, webhookBody, webhookHeaders,
} from '@hookledger/domain';
import type { InboundMessage } from '@hookledger/messaging';
import { SecretCipher } from '@hookledger/secrets';
import { AttemptRecorder, stateOf } from './attempt-recorder';
import { DeliveryLoader, DispatchContext } from './delivery-loader';
import { EndpointGate } from './endpoint-gate';
import { WebhookSender } from './http/webhook-sender';

/** How long a command for an endpoint whose queue is full waits before JetStream offers it again. */
const BUSY_ENDPOINT_DELAY_MS = 500;

/**
 * One dispatch command: load the delivery, refuse stale duplicates, hold it back when the
 * endpoint is paused or its circuit open, otherwise sign, send, classify and record; then ack.
 * The command is acked only after the outcome is durably recorded; a crash before that
 * redelivers it (at-least-once: the receiver dedups on webhook-id).
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly gate: EndpointGate;
  private readonly secretCache = new Map<string, { version: number; secrets: string[] }>();

  constructor(
    private readonly loader: DeliveryLoader,
    private readonly recorder: AttemptRecorder,
    private readonly sender: WebhookSender,
    private readonly cipher: SecretCipher,
    private readonly config: HookledgerConfig,
  ) {
    this.gate = new EndpointGate(config.delivery.perEndpointConcurrency);
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
    const trigger = command.trigger ?? 'scheduled';
    const refusal = attemptRefusal(stateOf(context), { attempt: command.attempt, trigger });
    if (refusal) {
      this.logger.debug({ msg: 'stale dispatch command skipped', delivery_id: context.delivery_id, reason: refusal });
      message.ack();
      return;
    }

    let events: readonly DeliveryEvent[];
    if (!context.endpoint_active || context.endpoint_deleted) {
      events = endpointGone(context);
    } else if (context.paused) {
      events = deferred(command, 'endpoint_paused');
    } else if (!circuitAllows(context.circuit_state, command.probe === true)) {
      events = deferred(command, 'circuit_open');
    } else {
      const sent = this.gate.run(context.endpoint_id, () => this.attempt(context, command));
      if (!sent) {
        message.nak(BUSY_ENDPOINT_DELAY_MS);
        return;
      }
      // Waiting for the endpoint and a slow send may outlast the ack wait: tell JetStream we are on it.
      const keepAlive = setInterval(() => message.working(), 10_000);
      try {
        events = await sent;
      } finally {
        clearInterval(keepAlive);
      }
    }
    await this.recorder.record({ context, events });
    message.ack();
  }

  private async attempt(context: DispatchContext, command: DispatchCommand): Promise<readonly DeliveryEvent[]> {
    const startedAt = new Date();
    const body = webhookBody({ id: context.message_id, type: context.event_type, timestamp: context.message_timestamp, data: context.data });
    const headers = {
      ...context.headers,
      'content-type': 'application/json',
      ...webhookHeaders({ msgId: context.message_id, timestamp: Math.floor(startedAt.getTime() / 1000), body, secrets: this.secretsOf(context, startedAt) }),
    };
    const timeoutMs = context.timeout_ms ?? this.config.delivery.timeoutMs;
    const answer = await this.sender.send({ url: context.url, headers, body, timeoutMs });
    const now = new Date();
    return decideAttemptRecorded({
      state: stateOf(context),
      attempt: {
        attempt_id: newId('att'),
        attempt: command.attempt,
        trigger: command.trigger ?? 'scheduled',
        url: context.url,
        started_at: startedAt,
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
  }

  /** Decrypted secrets still valid at `now`, cached per endpoint version (decrypting per send is waste). */
  private secretsOf(context: DispatchContext, now: Date): string[] {
    let cached = this.secretCache.get(context.endpoint_id);
    if (!cached || cached.version !== context.endpoint_version) {
      cached = { version: context.endpoint_version, secrets: context.secrets.map((secret) => this.cipher.open(secret.sealed)) };
      this.secretCache.set(context.endpoint_id, cached);
    }
    return cached.secrets.filter((_secret, i) => {
      const expiresAt = context.secrets[i]?.expires_at;
      return !expiresAt || new Date(expiresAt) > now;
    });
  }
}

/** A disabled or deleted endpoint receives nothing more: the delivery ends without an attempt. */
function endpointGone(context: DispatchContext): readonly DeliveryEvent[] {
  return [{ type: 'DeliveryFailed', data: { attempts: context.attempts, reason: context.endpoint_deleted ? 'endpoint_deleted' : 'endpoint_disabled' } }];
}

/** Held back without spending the attempt; released by the scheduler once the endpoint can take it. */
function deferred(command: DispatchCommand, reason: DeferralReason): readonly DeliveryEvent[] {
  return [{ type: 'DeliveryDeferred', data: { attempt: command.attempt, reason } }];
}
