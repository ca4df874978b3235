import { ApiProperty } from '@nestjs/swagger';
import type { EndpointRow } from '@hookledger/event-store';
import type { AttemptWindowRow, EndpointHealthRow } from './endpoint-health.repository';

export class CircuitResource {
  @ApiProperty({ enum: ['closed', 'open', 'half_open'] }) state!: 'closed' | 'open' | 'half_open';
  @ApiProperty({ nullable: true }) opened_at!: string | null;
  @ApiProperty({ nullable: true, description: 'When an open circuit lets a probe through' }) retry_at!: string | null;
}

export class LatencyResource {
  @ApiProperty({ nullable: true }) p50!: number | null;
  @ApiProperty({ nullable: true }) p95!: number | null;
  @ApiProperty({ nullable: true }) p99!: number | null;
}

export class HealthWindowResource {
  @ApiProperty({ description: 'Length of the sliding window (HOOKS_CIRCUIT_WINDOW_S)' }) seconds!: number;
  @ApiProperty({ description: 'Attempts started in the window' }) requests!: number;
  @ApiProperty() successes!: number;
  @ApiProperty() failures!: number;
  @ApiProperty({ nullable: true, description: 'successes / requests; null without requests' }) success_rate!: number | null;
  @ApiProperty({ type: LatencyResource, description: 'Attempt duration percentiles in milliseconds' }) latency_ms!: LatencyResource;
}

export class EndpointHealthResource {
  @ApiProperty() endpoint_id!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ nullable: true }) disabled_reason!: string | null;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ type: CircuitResource }) circuit!: CircuitResource;
  @ApiProperty() consecutive_failures!: number;
  @ApiProperty({ nullable: true, description: 'Start of the current run of failures' }) failing_since!: string | null;
  @ApiProperty({ nullable: true }) last_success_at!: string | null;
  @ApiProperty({ nullable: true }) last_failure_at!: string | null;
  @ApiProperty({ type: HealthWindowResource }) window!: HealthWindowResource;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const ms = (value: number | undefined) => (value === undefined ? null : Math.round(value));

export function toEndpointHealthResource(
  endpoint: EndpointRow, health: EndpointHealthRow | null, window: AttemptWindowRow, seconds: number,
): EndpointHealthResource {
  return {
    endpoint_id: endpoint.id,
    active: endpoint.active,
    disabled_reason: endpoint.disabled_reason,
    paused: endpoint.paused,
    circuit: { state: endpoint.circuit_state, opened_at: iso(endpoint.circuit_opened_at), retry_at: iso(endpoint.circuit_retry_at) },
    consecutive_failures: health?.consecutive_failures ?? 0,
    failing_since: iso(health?.failing_since ?? null),
    last_success_at: iso(health?.last_success_at ?? null),
    last_failure_at: iso(health?.last_failure_at ?? null),
    window: {
      seconds,
      requests: window.requests,
      successes: window.successes,
      failures: window.requests - window.successes,
      success_rate: window.requests === 0 ? null : window.successes / window.requests,
      latency_ms: { p50: ms(window.latency_ms?.[0]), p95: ms(window.latency_ms?.[1]), p99: ms(window.latency_ms?.[2]) },
    },
  };
}
