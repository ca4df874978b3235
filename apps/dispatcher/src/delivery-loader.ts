import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import {
  CircuitState, EndpointAuthReference, EndpointProviderOptions, EndpointType, messagePayloadContext, PayloadFormat, SignatureProfile, SigningKeyReference,
} from '@hookledger/domain';
import { preparedQuery } from '@hookledger/event-store';
import { OpenedPayload, TenantDataKeys } from '@hookledger/secrets';

/** Everything one attempt needs: the delivery's state, its message and its endpoint. */
export interface DispatchContext {
  readonly delivery_id: string;
  readonly message_id: string;
  readonly endpoint_id: string;
  readonly tenant_id: string;
  readonly event_type: string;
  readonly status: 'pending' | 'retrying' | 'succeeded' | 'failed';
  readonly attempts: number;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  /** Stream version of `delivery-<id>`: the expected version when the attempt is recorded. */
  readonly version: number;
  readonly message_timestamp: Date;
  /** The payload, opened; null once retention or erasure destroyed its key (see `payload_purged_at`). */
  readonly data: Record<string, unknown> | null;
  readonly payload_purged_at: Date | null;
  readonly url: string;
  readonly endpoint_active: boolean;
  readonly endpoint_deleted: boolean;
  readonly headers: Record<string, string>;
  /** Newest first; their sealed material is in endpoint_keys, read when the credentials are not cached. */
  readonly signing_keys: SigningKeyReference[];
  readonly retry_schedule: number[] | null;
  readonly timeout_ms: number | null;
  readonly rate_limit_per_s: number | null;
  readonly auth: EndpointAuthReference | null;
  readonly payload_format: PayloadFormat;
  readonly signature_profile: SignatureProfile;
  readonly type: EndpointType;
  readonly provider: EndpointProviderOptions | null;
  readonly template: string | null;
  /** Earlier attempts a chat provider's rate limit answered: they do not count toward the retry schedule. */
  readonly unspent_attempts: number;
  readonly endpoint_version: number;
  readonly paused: boolean;
  readonly circuit_state: CircuitState;
  readonly created_at: Date;
  readonly delivered_at: Date | null;
}

const LOAD_SQL = `
  SELECT d.id AS delivery_id, d.message_id, d.endpoint_id, d.tenant_id, d.event_type, d.status, d.attempts, d.version,
         d.last_status_code, d.last_error,
         m.timestamp AS message_timestamp, m.data, m.sealed_data,
         e.url, e.active AS endpoint_active, e.deleted_at IS NOT NULL AS endpoint_deleted, e.headers, e.signing_keys,
         e.retry_schedule, e.timeout_ms, e.rate_limit_per_s, e.auth, e.payload_format, e.signature_profile,
         e.type, e.provider, e.template, e.version AS endpoint_version, e.paused,
         -- Only chat providers' rate limits are unspent; a webhook's 429 counts as it always did.
         CASE WHEN e.type = 'webhook' THEN 0
              ELSE (SELECT count(*)::int FROM attempts a WHERE a.delivery_id = d.id AND a.outcome = 'rate_limited') END AS unspent_attempts,
         e.circuit_state, d.created_at, d.delivered_at
    FROM deliveries d
    JOIN messages m ON m.tenant_id = d.tenant_id AND m.id = d.message_id
    JOIN endpoints e ON e.id = d.endpoint_id
   WHERE d.id = ANY($1::text[])`;

type LoadedRow = Omit<DispatchContext, 'payload_purged_at'> & { readonly sealed_data: string | null };

/**
 * Loads dispatch contexts for many concurrent dispatch commands with one query: commands that
 * arrive within a couple of milliseconds of each other share a round trip. Their payloads are
 * opened together too, with keys the process has cached (a round trip only for a day's first).
 */
@Injectable()
export class DeliveryLoader {
  private readonly loader: DataLoader<string, DispatchContext | null>;
  private previous: Promise<unknown> = Promise.resolve();

  constructor(db: DataSource, private readonly dataKeys: TenantDataKeys) {
    this.loader = new DataLoader(
      (ids) => {
        const loaded = (async () => {
          const rows = await preparedQuery<LoadedRow>(db, 'dispatch_load', LOAD_SQL, [ids]);
          const contexts = await this.open(rows);
          const byId = new Map(rows.map((row, n) => [row.delivery_id, contexts[n]]));
          // An Error in its place rejects that one load (DataLoader's contract), not the batch's others.
          return ids.map((id) => byId.get(id) ?? null);
        })();
        // Batches resolve in the order they were started: a later batch that happens to come back
        // first (its payload key cached, the earlier one's not) must not overtake it, or an
        // endpoint's commands would reach its FIFO gate out of dispatch order.
        const inTurn = this.previous.then(() => loaded);
        this.previous = inTurn.catch(() => undefined);
        return inTurn;
      },
      { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, 1) },
    );
  }

  load(deliveryId: string): Promise<DispatchContext | null> {
    return this.loader.load(deliveryId);
  }

  /**
   * Each row with its payload opened: the sealed ones all at once, a legacy row's plain `data` as
   * it is. A message fanned out to many endpoints loads once per delivery; it is opened and parsed
   * once per batch, and its deliveries share the (never mutated) value. A payload that fails to
   * open (altered, or not its tenant's) fails its own deliveries only.
   */
  private async open(rows: readonly LoadedRow[]): Promise<(DispatchContext | Error)[]> {
    const slots = new Map<string, number>();
    const sealed: { sealed: string; tenantId: string; context: string }[] = [];
    const slotOf = rows.map((row) => {
      if (row.sealed_data === null) return -1;
      const context = messagePayloadContext(row.tenant_id, row.message_id);
      let slot = slots.get(context);
      if (slot === undefined) {
        slot = sealed.push({ sealed: row.sealed_data, tenantId: row.tenant_id, context }) - 1;
        slots.set(context, slot);
      }
      return slot;
    });
    const opened: (OpenedPayload | Error)[] = await this.dataKeys.openMany(sealed)
      .catch(() => Promise.all(sealed.map((item) => this.dataKeys.open(item.sealed, item.tenantId, item.context).catch((error: Error) => error))));
    const parsed = opened.map((payload) => (payload instanceof Error || payload.text === null ? null : JSON.parse(payload.text) as Record<string, unknown>));
    return rows.map(({ sealed_data: _sealed, ...row }, n) => {
      const slot = slotOf[n];
      if (slot < 0) return { ...row, payload_purged_at: null };
      const payload = opened[slot];
      if (payload instanceof Error) return new Error(`delivery ${row.delivery_id}: ${payload.message}`);
      if (payload.text === null) return { ...row, data: null, payload_purged_at: payload.purged_at };
      return { ...row, data: parsed[slot] as Record<string, unknown>, payload_purged_at: null };
    });
  }
}
