import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { AttemptResult, CircuitPolicy, circuitCommandAfterAttempts, CircuitState } from '@hookledger/domain';
import { CircuitCommand, EndpointCircuits } from '@hookledger/event-store';

const MAX_COOLDOWN_SECONDS = 600;
const METADATA = { actor: 'system:dispatcher' };

/** One recorded attempt, with its endpoint's circuit as its dispatch context found it. */
export interface RecordedAttempt {
  readonly endpointId: string;
  readonly circuitSeen: CircuitState;
  readonly result: AttemptResult;
}

/** One endpoint's attempts in the batch; any circuit seen not closed means it may have to close on a success. */
interface EndpointAttempts {
  readonly results: AttemptResult[];
  circuitSeen: CircuitState;
}

// The attempts of each endpoint since its last enable: how many in the window, how many failed,
// and the latest run of failures (up to the policy's threshold: more cannot change the answer).
// `attempts` is the inline projection of DeliveryAttempted, so it already holds this batch.
const STATS_SQL = `
  SELECT u.endpoint_id, w.requests, w.failures, r.streak
    FROM unnest($1::text[], $2::timestamptz[]) AS u(endpoint_id, since)
   CROSS JOIN LATERAL (
     SELECT count(*)::int AS requests, (count(*) FILTER (WHERE a.outcome <> 'http_2xx'))::int AS failures
       FROM attempts a
      WHERE a.endpoint_id = u.endpoint_id AND a.started_at > greatest(now() - make_interval(secs => $3), u.since)) w
   CROSS JOIN LATERAL (
     SELECT (count(*) FILTER (WHERE NOT l.after_success))::int AS streak
       FROM (SELECT bool_or(a.outcome = 'http_2xx') OVER (ORDER BY a.started_at DESC, a.id DESC) AS after_success
               FROM (SELECT a.outcome, a.started_at, a.id FROM attempts a
                      WHERE a.endpoint_id = u.endpoint_id AND a.started_at > u.since
                      ORDER BY a.started_at DESC, a.id DESC LIMIT $4) a) l) r`;

/**
 * Decides, in the transaction that records a batch of attempts, what they do to each endpoint's
 * circuit, and records the transitions on the endpoint's stream (EndpointCircuits). The common
 * case costs nothing: an endpoint whose attempts all succeeded, with its circuit closed when they
 * were dispatched, cannot change its circuit, and the failure streak and last outcomes are the
 * async `endpoint-health` projection's business, not the hot path's.
 */
@Injectable()
export class CircuitRecorder {
  private readonly policy: CircuitPolicy;
  private readonly windowSeconds: number;

  constructor(config: HookledgerConfig, private readonly circuits: EndpointCircuits) {
    this.policy = { ...config.circuit, maxCooldownSeconds: Math.max(MAX_COOLDOWN_SECONDS, config.circuit.cooldownSeconds) };
    this.windowSeconds = config.circuit.windowSeconds;
  }

  async record(tx: EntityManager, attempts: readonly RecordedAttempt[]): Promise<void> {
    if (attempts.every(({ circuitSeen, result }) => circuitSeen === 'closed' && result.succeeded)) return;
    const byId = new Map<string, EndpointAttempts>();
    for (const { endpointId, circuitSeen, result } of attempts) {
      const endpoint = byId.get(endpointId) ?? { results: [], circuitSeen };
      endpoint.results.push(result);
      if (circuitSeen !== 'closed') endpoint.circuitSeen = circuitSeen;
      byId.set(endpointId, endpoint);
    }
    for (const [id, { results, circuitSeen }] of byId) {
      if (circuitSeen === 'closed' && results.every((result) => result.succeeded)) byId.delete(id);
    }
    await this.circuits.transition(tx, [...byId.keys()], async (circuits) => {
      const ids = [...circuits.keys()];
      const stats: { endpoint_id: string; requests: number; failures: number; streak: number }[] = await tx.query(STATS_SQL, [
        ids, ids.map((id) => circuits.get(id)?.enabled_at ?? new Date(0)), this.windowSeconds, this.policy.consecutiveFailures,
      ]);
      const now = new Date();
      const commands: CircuitCommand[] = [];
      for (const row of stats) {
        const endpoint = byId.get(row.endpoint_id);
        const circuit = circuits.get(row.endpoint_id);
        if (!endpoint || !circuit) continue;
        const command = circuitCommandAfterAttempts(row.endpoint_id, circuit, {
          anySuccess: endpoint.results.some((result) => result.succeeded),
          anyFailure: endpoint.results.some((result) => !result.succeeded),
          consecutiveFailures: row.streak,
          window: { seconds: this.windowSeconds, requests: row.requests, failures: row.failures },
        }, this.policy, now);
        if (command) commands.push(command);
      }
      return commands;
    }, METADATA);
  }
}
