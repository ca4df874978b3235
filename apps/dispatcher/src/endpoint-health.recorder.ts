import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { OperationalEvent, operationalEvent, OperationalEventName } from '@hookledger/contracts';
import { AttemptResult, CircuitPolicy, EndpointHealth, recordAttempts } from '@hookledger/domain';

const MAX_COOLDOWN_SECONDS = 600;

/**
 * Keeps `endpoint_health` current in the transaction that records attempts: the failure run,
 * failing-since, last success and failure, 410s, and the circuit breaker's state. Rows are locked
 * in endpoint-id order so concurrent batches from several dispatchers serialise per endpoint
 * without deadlocking.
 */
@Injectable()
export class EndpointHealthRecorder {
  private readonly policy: CircuitPolicy;
  private readonly windowSeconds: number;

  constructor(config: HookledgerConfig) {
    this.policy = { ...config.circuit, maxCooldownSeconds: Math.max(MAX_COOLDOWN_SECONDS, config.circuit.cooldownSeconds) };
    this.windowSeconds = config.circuit.windowSeconds;
  }

  /** Returns the circuit transitions as operational events for the outbox. */
  async record(tx: EntityManager, attempts: ReadonlyMap<string, AttemptResult[]>): Promise<OperationalEvent<OperationalEventName, object>[]> {
    const recordedFast = await this.recordSuccesses(tx, attempts);
    const endpointIds = [...attempts.keys()].filter((id) => !recordedFast.has(id)).sort();
    if (endpointIds.length === 0) return [];
    await tx.query(`INSERT INTO endpoint_health (endpoint_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [endpointIds]);
    const rows: (EndpointHealth & { endpoint_id: string })[] = await tx.query(
      `SELECT * FROM endpoint_health WHERE endpoint_id = ANY($1::text[]) ORDER BY endpoint_id FOR UPDATE`,
      [endpointIds],
    );
    const windows: { endpoint_id: string; requests: number; failures: number }[] = await tx.query(
      `SELECT endpoint_id, count(*)::int AS requests, count(*) FILTER (WHERE outcome <> 'http_2xx')::int AS failures
         FROM attempts
        WHERE endpoint_id = ANY($1::text[]) AND started_at > now() - make_interval(secs => $2)
        GROUP BY endpoint_id`,
      [endpointIds, this.windowSeconds],
    );
    const windowOf = new Map(windows.map((w) => [w.endpoint_id, w]));
    const now = new Date();
    const events: OperationalEvent<OperationalEventName, object>[] = [];
    const updated = rows.map((row) => {
      const window = windowOf.get(row.endpoint_id) ?? { requests: 0, failures: 0 };
      const { health, transition } = recordAttempts(row, attempts.get(row.endpoint_id) ?? [], window, this.policy, now);
      if (transition === 'opened') {
        events.push(operationalEvent('endpoint.circuit_opened', {
          endpoint_id: row.endpoint_id,
          consecutive_failures: health.consecutive_failures,
          window: { seconds: this.windowSeconds, requests: window.requests, failures: window.failures },
          retry_at: health.circuit_retry_at?.toISOString() ?? null,
        }));
      } else if (transition === 'closed') {
        events.push(operationalEvent('endpoint.circuit_closed', { endpoint_id: row.endpoint_id }));
      }
      return { endpoint_id: row.endpoint_id, ...health };
    });
    await tx.query(
      `UPDATE endpoint_health h
          SET circuit_state = u.circuit_state, circuit_opened_at = u.circuit_opened_at, circuit_retry_at = u.circuit_retry_at,
              circuit_cooldown_s = u.circuit_cooldown_s, consecutive_failures = u.consecutive_failures,
              failing_since = u.failing_since, last_success_at = u.last_success_at, last_failure_at = u.last_failure_at,
              gone_at = u.gone_at, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::int[], $7::timestamptz[],
                     $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
              AS u(endpoint_id, circuit_state, circuit_opened_at, circuit_retry_at, circuit_cooldown_s, consecutive_failures,
                   failing_since, last_success_at, last_failure_at, gone_at)
        WHERE h.endpoint_id = u.endpoint_id`,
      [
        updated.map((h) => h.endpoint_id),
        updated.map((h) => h.circuit_state),
        updated.map((h) => h.circuit_opened_at),
        updated.map((h) => h.circuit_retry_at),
        updated.map((h) => h.circuit_cooldown_s),
        updated.map((h) => h.consecutive_failures),
        updated.map((h) => h.failing_since),
        updated.map((h) => h.last_success_at),
        updated.map((h) => h.last_failure_at),
        updated.map((h) => h.gone_at),
      ],
    );
    return events;
  }

  /**
   * The common case, kept cheap: an endpoint whose circuit is closed and whose attempts in this
   * batch all succeeded cannot change circuit state, so one UPDATE records the success — no
   * window count, no read-then-write. Returns the endpoints it handled.
   */
  private async recordSuccesses(tx: EntityManager, attempts: ReadonlyMap<string, AttemptResult[]>): Promise<Set<string>> {
    const succeeded = [...attempts].filter(([, results]) => results.every((result) => result.succeeded));
    if (succeeded.length === 0) return new Set();
    const [rows]: [{ endpoint_id: string }[], number] = await tx.query(
      // Rows are locked in endpoint-id order first: an UPDATE … FROM locks in plan order, and two
      // batches touching the same endpoints in different orders would deadlock.
      `WITH locked AS (
         SELECT endpoint_id FROM endpoint_health
          WHERE endpoint_id = ANY($1::text[]) AND circuit_state = 'closed'
          ORDER BY endpoint_id FOR UPDATE
       )
       UPDATE endpoint_health h
          SET consecutive_failures = 0, failing_since = NULL, updated_at = now(),
              last_success_at = greatest(h.last_success_at, u.at)
         FROM unnest($1::text[], $2::timestamptz[]) AS u(endpoint_id, at), locked l
        WHERE h.endpoint_id = u.endpoint_id AND l.endpoint_id = h.endpoint_id
        RETURNING h.endpoint_id`,
      [succeeded.map(([id]) => id), succeeded.map(([, results]) => new Date(Math.max(...results.map((r) => r.at.getTime()))))],
    );
    return new Set(rows.map((row) => row.endpoint_id));
  }
}
