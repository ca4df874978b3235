/** The API's resources, as the portal reads them (apps/api-gateway/src/**\/*.dto.ts, *.resource.ts). */

export const ENDPOINT_TYPES = ['webhook', 'slack', 'discord', 'telegram'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];
export const SIGNATURE_PROFILES = ['standard', 'standard-ed25519', 'github', 'stripe', 'hmac-hex'] as const;
export type SignatureProfile = (typeof SIGNATURE_PROFILES)[number];
export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed'] as const;

export interface Page<T> { data: T[]; next_cursor: string | null }

export interface Endpoint {
  id: string;
  url: string;
  description: string;
  event_types: string[] | null;
  active: boolean;
  disabled_reason: string | null;
  paused: boolean;
  headers: Record<string, string>;
  retry_schedule: number[];
  rate_limit_per_s: number | null;
  auth: { type: 'basic' | 'bearer'; username?: string } | null;
  filter: Record<string, unknown> | null;
  signature_profile: SignatureProfile;
  type: EndpointType;
  provider: Record<string, string> | null;
  created_at: string;
}

export interface EventType { name: string; description: string; archived_at: string | null }

export interface EndpointSecret {
  signature_profile: SignatureProfile;
  secret?: string;
  public_key?: string;
  previous: { secret?: string; public_key?: string; expires_at: string }[];
}

export interface TestResult { success: boolean; status_code: number | null; response_time_ms: number; error: string | null; delivery_id: string; attempt_id: string }

export interface Delivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  status_code: number | null;
  error: string | null;
  next_attempt_at: string | null;
  created_at: string;
}

export interface Attempt {
  id: string;
  attempt: number;
  trigger: string;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  outcome: string;
  error: string | null;
  response_body: string | null;
}

export interface Health {
  circuit: { state: 'closed' | 'open' | 'half_open'; opened_at: string | null; retry_at: string | null };
  consecutive_failures: number;
  last_success_at: string | null;
  last_failure_at: string | null;
  window: { seconds: number; requests: number; success_rate: number | null; latency_ms: { p50: number | null; p95: number | null } };
}

export interface HealthSeries {
  bucket_seconds: number;
  points: { start: string; requests: number; success_rate: number | null; latency_ms: { p50: number | null; p95: number | null } }[];
}

export interface Session {
  tenant_id: string;
  expires_at: string;
  branding: { name: string | null; logo_url: string | null; accent_color: string | null };
}
