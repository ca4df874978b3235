import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import type { CircuitState, EndpointAuthReference, PayloadFormat, SignatureProfile, SigningKeyReference } from '@hookledger/domain';
import { preparedQuery } from '@hookledger/event-store';

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
  readonly data: Record<string, unknown>;
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
  readonly endpoint_version: number;
  readonly paused: boolean;
  readonly circuit_state: CircuitState;
  readonly created_at: Date;
  readonly delivered_at: Date | null;
}

const LOAD_SQL = `
  SELECT d.id AS delivery_id, d.message_id, d.endpoint_id, d.tenant_id, d.event_type, d.status, d.attempts, d.version,
         d.last_status_code, d.last_error,
         m.timestamp AS message_timestamp, m.data,
         e.url, e.active AS endpoint_active, e.deleted_at IS NOT NULL AS endpoint_deleted, e.headers, e.signing_keys,
         e.retry_schedule, e.timeout_ms, e.rate_limit_per_s, e.auth, e.payload_format, e.signature_profile,
         e.version AS endpoint_version, e.paused,
         e.circuit_state, d.created_at, d.delivered_at
    FROM deliveries d
    JOIN messages m ON m.tenant_id = d.tenant_id AND m.id = d.message_id
    JOIN endpoints e ON e.id = d.endpoint_id
   WHERE d.id = ANY($1::text[])`;

/**
 * Loads dispatch contexts for many concurrent dispatch commands with one query: commands that
 * arrive within a couple of milliseconds of each other share a round trip.
 */
@Injectable()
export class DeliveryLoader {
  private readonly loader: DataLoader<string, DispatchContext | null>;

  constructor(db: DataSource) {
    this.loader = new DataLoader(
      async (ids) => {
        const rows = await preparedQuery<DispatchContext>(db, 'dispatch_load', LOAD_SQL, [ids]);
        const byId = new Map(rows.map((row) => [row.delivery_id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, 1) },
    );
  }

  load(deliveryId: string): Promise<DispatchContext | null> {
    return this.loader.load(deliveryId);
  }
}
