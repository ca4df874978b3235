import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AttemptRow, DeliveryRow, RetryTargetRow } from './delivery.resource';
import type { DeliveryQuery } from './delivery-query';

/** Reads of the `deliveries` and `attempts` projections. Newest first, keyset-paginated on the time-ordered id. */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly db: DataSource) {}

  list(query: DeliveryQuery, before: string | null, limit: number): Promise<DeliveryRow[]> {
    return this.db.query(
      `SELECT * FROM deliveries
        WHERE ($1::text IS NULL OR id < $1)
          AND ($2::text IS NULL OR endpoint_id = $2)
          AND ($3::text IS NULL OR message_id = $3)
          AND ($4::text IS NULL OR event_type = $4)
          AND ($5::text IS NULL OR status = $5)
          AND ($6::timestamptz IS NULL OR created_at >= $6)
          AND ($7::timestamptz IS NULL OR created_at < $7)
          AND ($9::text IS NULL OR tenant_id = $9)
        ORDER BY id DESC
        LIMIT $8`,
      [before, query.endpoint_id ?? null, query.event_id ?? null, query.event_type ?? null, query.status ?? null,
        query.since ?? null, query.until ?? null, limit, query.tenant_id ?? null],
    );
  }

  async find(id: string): Promise<DeliveryRow | null> {
    const rows: DeliveryRow[] = await this.db.query(`SELECT * FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The deliveries of one event: its id is unique only within its tenant. */
  forMessage(tenantId: string, messageId: string): Promise<DeliveryRow[]> {
    return this.db.query(`SELECT * FROM deliveries WHERE message_id = $1 AND tenant_id = $2 ORDER BY id LIMIT 1000`, [messageId, tenantId]);
  }

  /** What a manual re-delivery needs: the next attempt number, the stream version, and the endpoint's state. */
  async findForRetry(id: string): Promise<RetryTargetRow | null> {
    const rows: RetryTargetRow[] = await this.db.query(
      `SELECT d.id, d.endpoint_id, d.attempts, d.version, e.active AS endpoint_active, e.paused AS endpoint_paused,
              e.deleted_at IS NOT NULL AS endpoint_deleted
         FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
        WHERE d.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Oldest first, keyset-paginated on the attempt number (unique per delivery). */
  attempts(deliveryId: string, afterAttempt: string | null, limit: number): Promise<AttemptRow[]> {
    return this.db.query(
      `SELECT * FROM attempts WHERE delivery_id = $1 AND ($2::int IS NULL OR attempt > $2) ORDER BY attempt LIMIT $3`,
      [deliveryId, afterAttempt, limit],
    );
  }
}
