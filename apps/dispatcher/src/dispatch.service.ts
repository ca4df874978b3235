import { Injectable, Logger } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import type { DispatchItem } from '@hookledger/contracts';
import {
  attemptRefusal, attemptRequest, authorizationHeader, circuitAllows, DeliveryCommand, deliveryDecider, DeliveryEvent, newId, providerKeyId,
} from '@hookledger/domain';
import type { InboundMessage } from '@hookledger/messaging';
import { EndpointKeys } from '@hookledger/secrets';
import { DataSource } from 'typeorm';
import { AttemptRecorder, stateOf } from './attempt-recorder';
import { CredentialCache } from './credential-cache';
import { DeliveryLoader, DispatchContext } from './delivery-loader';
import { EndpointGate } from './endpoint-gate';
import { EndpointRateLimiter, Throttled } from './endpoint-rate-limiter';
import { WebhookSender } from '@hookledger/webhook-http';
import { classifyAnswer, outgoingRequest } from './providers/outgoing-request';

/** How long a command for an endpoint whose queue is full waits before JetStream offers it again. */
const BUSY_ENDPOINT_DELAY_MS = 500;
/**
 * How long a send may wait for its endpoint's rate limit while holding the command. Beyond it the
 * command goes back to JetStream until its turn, so a slow limit does not hold the consumer's slots.
 */
const MAX_RATE_LIMIT_WAIT_MS = 5_000;

/**
 * Deliveries of batch commands that may wait for their endpoints (all endpoints together) before
 * the consumer stops taking commands: bounds memory, while one slow endpoint's backlog up to it
 * does not hold the send slots other endpoints need.
 */
const MAX_WAITING_DELIVERIES = 512;

/** What became of one delivery of a command. */
type Outcome = 'settled' | 'unknown' | { readonly retryInMs: number };

/** Endpoint secrets and auth, unsealed once per endpoint version. */
interface Credentials {
  readonly version: number;
  /** Newest first: the current secret, then those of earlier rotations still in their grace period. */
  readonly secrets: readonly { readonly key: string; readonly expiresAt: Date | null }[];
  readonly authorization: string | null;
  /** The token or password behind `authorization`: no record of the request may hold it. */
  readonly authCredential: string | null;
  /** A Telegram endpoint's bot token (it goes in the URL path, so no record may hold the URL as sent). */
  readonly botToken: string | null;
}

/** An attempt's events, and the answer's body the recorder seals into its DeliveryAttempted. */
interface Attempted {
  readonly events: readonly DeliveryEvent[];
  readonly responseBody: string | null;
}

/**
 * One dispatch command (v1: one delivery; v2: many, each handled alike): load the delivery, refuse stale duplicates, hold it back when the
 * endpoint is paused or its circuit open, otherwise sign, send, classify and record; then ack.
 * The command is acked only after the outcome is durably recorded; a crash before that
 * redelivers it (at-least-once: the receiver dedups on webhook-id).
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly gate: EndpointGate;
  private readonly limiter = new EndpointRateLimiter(MAX_RATE_LIMIT_WAIT_MS);
  private readonly credentialCache = new CredentialCache<Credentials>();
  /** Deliveries of batch commands that gave their consumer weight back to wait for their endpoint, until settled. */
  private parked = 0;
  /** HOOKS_DISPATCH_CONCURRENCY: sends in flight, whatever commands they came in. */
  private readonly sendSlots: Slots;

  constructor(
    private readonly loader: DeliveryLoader,
    private readonly recorder: AttemptRecorder,
    private readonly sender: WebhookSender,
    private readonly keys: EndpointKeys,
    private readonly db: DataSource,
    private readonly config: HookledgerConfig,
  ) {
    this.gate = new EndpointGate(config.delivery.perEndpointConcurrency);
    this.sendSlots = new Slots(config.delivery.concurrency);
  }

  /**
   * Runs a v1 command (one delivery) or a v2 command (many) and settles the message: acked once
   * every delivery in it is recorded, refused as stale, or held back (deferred) as recorded; nak'd
   * when one has to wait its turn (busy endpoint, rate limit) or failed — on redelivery the ones
   * recorded meanwhile are refused as stale. `release` gives back a delivery's share of the
   * consumer's bound when it is done or starts waiting for its endpoint.
   */
  async handle(message: InboundMessage, release: (units: number) => void = () => {}): Promise<void> {
    const items = dispatchItems(message.data);
    if (!items) {
      this.logger.error({ msg: 'dispatch command rejected', subject: message.subject });
      message.term('malformed dispatch command');
      return;
    }
    const batch = (message.data as { v?: unknown }).v === 2;
    // Waiting for endpoints and slow sends may outlast the ack wait: tell JetStream we are on it.
    const keepAlive = setInterval(() => message.working(), 10_000);
    let outcomes: PromiseSettledResult<Outcome>[];
    try {
      outcomes = await Promise.allSettled(items.map(async (item) => {
        let released = false;
        let parked = false;
        const giveBack = () => {
          if (!released) release(1);
          released = true;
        };
        // A delivery that waits for its endpoint gives its weight back, so the consumer's bound no
        // longer covers it — not while it waits, sends or is recorded. `parked` does, until it is
        // settled (admitsMore): otherwise sends outpacing the recorder would pile up unbounded.
        const park = () => {
          giveBack();
          if (!parked) this.parked++;
          parked = true;
        };
        try {
          return await this.dispatchOne(item, batch, park);
        } finally {
          giveBack();
          if (parked) {
            this.parked--;
            release(0); // the consumer may be waiting for admitsMore()
          }
        }
      }));
    } finally {
      clearInterval(keepAlive);
    }
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const settled = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<Outcome>).value);
    if (!batch && settled[0] === 'unknown') {
      message.term('unknown delivery');
      return;
    }
    const delays = settled.flatMap((outcome) => (typeof outcome === 'object' ? [outcome.retryInMs] : []));
    if (delays.length > 0) message.nak(Math.min(...delays));
    else message.ack();
  }

  /** One delivery of a command, up to its outcome being recorded. */
  private async dispatchOne(command: DispatchItem, batch: boolean, onWait: () => void): Promise<Outcome> {
    const context = await this.loader.load(command.delivery_id);
    if (!context) {
      this.logger.error({ msg: 'dispatch command for an unknown delivery', delivery_id: command.delivery_id });
      return 'unknown';
    }
    const trigger = command.trigger ?? 'scheduled';
    const refusal = attemptRefusal(stateOf(context), { attempt: command.attempt, trigger });
    if (refusal) {
      this.logger.debug({ msg: 'stale dispatch command skipped', delivery_id: context.delivery_id, reason: refusal });
      return 'settled';
    }

    let events: readonly DeliveryEvent[];
    let responseBody: string | null = null;
    if (!context.endpoint_active || context.endpoint_deleted) {
      events = decide(context, { type: 'EndDeliveryForGoneEndpoint', data: { attempt: command.attempt, trigger, reason: context.endpoint_deleted ? 'endpoint_deleted' : 'endpoint_disabled' } });
    } else if (context.data === null) {
      this.logger.warn({ msg: 'delivery ended: its payload was purged', delivery_id: context.delivery_id, message_id: context.message_id, endpoint_id: context.endpoint_id, purged_at: context.payload_purged_at });
      events = decide(context, { type: 'EndDeliveryForPurgedPayload', data: { attempt: command.attempt, trigger } });
    } else if (context.paused) {
      events = decide(context, { type: 'DeferDeliveryAttempt', data: { attempt: command.attempt, trigger, reason: 'endpoint_paused' } });
    } else if (!circuitAllows(context.circuit_state, command.probe === true)) {
      events = decide(context, { type: 'DeferDeliveryAttempt', data: { attempt: command.attempt, trigger, reason: 'circuit_open' } });
    } else {
      const withPayload = { ...context, data: context.data };
      // A batch's delivery waits for its endpoint without holding the consumer's bound (the
      // consumer bounds the parked deliveries instead); a single command's queue stays short.
      const sent = this.gate.run(context.endpoint_id, () => this.sendSlots.run(() => this.attemptInTurn(withPayload, command)), batch
        ? { maxWaiting: Number.MAX_SAFE_INTEGER, onWait }
        : {});
      if (!sent) return { retryInMs: BUSY_ENDPOINT_DELAY_MS };
      const result: Attempted | Throttled = await sent;
      if ('retryInMs' in result) return { retryInMs: result.retryInMs };
      events = result.events;
      responseBody = result.responseBody;
    }
    // A manual command on a finished delivery whose endpoint cannot take it changes nothing.
    if (events.length > 0) await this.recorder.record({ context, events, responseBody });
    return 'settled';
  }

  /**
   * Whether the consumer may take another command: deliveries of batch commands that waited for
   * their endpoints — waiting still, sending or being recorded — are bounded.
   */
  admitsMore(): boolean {
    return this.parked < MAX_WAITING_DELIVERIES;
  }

  /**
   * Sends once the endpoint's rate limit lets it (the attempt is not spent while waiting), or hands
   * the command back when its turn is too far off. Runs inside the endpoint's gate, so sends keep
   * their order and other endpoints never wait for this one's limit.
   */
  private async attemptInTurn(context: DispatchContext & { readonly data: Record<string, unknown> }, command: DispatchItem): Promise<Attempted | Throttled> {
    const throttled = await this.limiter.take(context.endpoint_id, context.rate_limit_per_s);
    return throttled ?? this.attempt(context, command);
  }

  private async attempt(context: DispatchContext & { readonly data: Record<string, unknown> }, command: DispatchItem): Promise<Attempted> {
    const startedAt = new Date();
    const credentials = await this.credentialsOf(context);
    const { url, recordedUrl, headers, body } = outgoingRequest(context, {
      secrets: credentials.secrets.filter((secret) => !secret.expiresAt || secret.expiresAt > startedAt).map((secret) => secret.key),
      authorization: credentials.authorization,
      botToken: credentials.botToken,
    }, startedAt, this.config.integrations.telegramApiUrl);
    const timeoutMs = context.timeout_ms ?? this.config.delivery.timeoutMs;
    const answer = await this.sender.send({ url, headers, body, timeoutMs });
    const now = new Date();
    // The headers as the sender sends them (it sets the user-agent), credentials redacted.
    const request = attemptRequest({
      headers: { ...headers, 'user-agent': this.sender.userAgent },
      body,
      signatureProfile: context.signature_profile,
      credentials: [...credentials.secrets.map((secret) => secret.key), credentials.authorization, credentials.authCredential, credentials.botToken]
        .filter((value) => value !== null),
    });
    const { classification, error } = classifyAnswer(context.type, answer, now, credentials.botToken);
    const events = decide(context, {
      type: 'RecordDeliveryAttempt',
      data: {
        attempt: {
          attempt_id: newId('att'),
          attempt: command.attempt,
          trigger: command.trigger ?? 'scheduled',
          url: recordedUrl,
          started_at: startedAt,
          duration_ms: answer.durationMs,
          status_code: answer.statusCode,
          error,
          request,
        },
        classification,
        schedule: context.retry_schedule ?? this.config.delivery.retrySchedule,
        now,
        jitter: Math.random(),
        unspentAttempts: context.unspent_attempts,
      },
    });
    return { events, responseBody: answer.responseBody };
  }

  /**
   * Unsealed secrets and auth, cached per endpoint version for a while (decrypting per send is
   * waste). The key table is read only on a miss, so the hot path's load query stays as it was.
   */
  private async credentialsOf(context: DispatchContext): Promise<Credentials> {
    const cached = this.credentialCache.get(context.endpoint_id, context.endpoint_version);
    if (cached) return cached;
    const auth = context.auth;
    const botTokenKey = providerKeyId(context.provider);
    const sealed = await this.keys.find(this.db, [
      ...context.signing_keys.map((key) => key.key_id), ...(auth ? [auth.key_id] : []), ...(botTokenKey ? [botTokenKey] : []),
    ]);
    const open = (keyId: string): string => {
      const row = sealed.get(keyId);
      if (!row) throw new Error(`endpoint ${context.endpoint_id}: key ${keyId} is missing from endpoint_keys`);
      return this.keys.open(row);
    };
    const secrets = context.signing_keys
      .map((key) => ({ key: open(key.key_id), expiresAt: key.expires_at ? new Date(key.expires_at) : null }))
      .sort((a, b) => expiryOf(b) - expiryOf(a));
    const authCredential = auth === null ? null : open(auth.key_id);
    const authorization = auth === null || authCredential === null ? null : auth.type === 'basic'
      ? authorizationHeader({ type: 'basic', username: auth.username, password: authCredential })
      : authorizationHeader({ type: 'bearer', token: authCredential });
    const botToken = botTokenKey === null ? null : open(botTokenKey);
    const credentials = { version: context.endpoint_version, secrets, authorization, authCredential, botToken };
    this.credentialCache.set(context.endpoint_id, credentials);
    return credentials;
  }
}

/** The deliveries of a v1 or v2 dispatch command; null when it is malformed. */
function dispatchItems(data: unknown): readonly DispatchItem[] | null {
  if (data instanceof Error || typeof data !== 'object' || data === null) return null;
  const command = data as { v?: unknown; deliveries?: unknown };
  const items = command.v === 2 ? command.deliveries : [data];
  if (!Array.isArray(items) || items.length === 0) return null;
  const valid = items.every((item: Partial<DispatchItem> | null) => typeof item?.delivery_id === 'string' && Number.isInteger(item.attempt));
  return valid ? (items as DispatchItem[]) : null;
}

/** A counting semaphore: at most `size` calls of `run` at once, the others waiting first come first served. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** The current secret never expires; older ones sort by when they do. */
const expiryOf = (secret: { readonly expiresAt: Date | null }): number => secret.expiresAt?.getTime() ?? Number.MAX_SAFE_INTEGER;

/**
 * The delivery's rules decide from the state its projection row holds (written inline, so current
 * at the version the attempt will be appended at). handle() asked attemptRefusal first, so a
 * refusal here is a bug, not a stale command.
 */
function decide(context: DispatchContext, command: DeliveryCommand): readonly DeliveryEvent[] {
  return deliveryDecider.decide(command, stateOf(context));
}
