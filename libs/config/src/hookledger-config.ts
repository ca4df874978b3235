import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import ipaddr from 'ipaddr.js';
import { DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_LEDGER_SIGNING_KEY } from './development-encryption-key';
import { Environment } from './environment';

/** The Standard Webhooks schedule after the first, immediate attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];


/** The typed configuration every app receives. Nothing else reads `process.env`. */
export class HookledgerConfig {
  readonly environment!: 'development' | 'test' | 'production';
  readonly databaseUrl!: string;
  /** The database owner's URL: migrations (and the grants they give the apps' role) run as it; the apps never use it. */
  readonly migrationDatabaseUrl!: string;
  readonly natsUrl!: string;
  readonly natsNamespace!: string;
  readonly api!: {
    readonly host: string;
    readonly port: number;
    readonly adminApiKey: string | null;
    /** Request bodies larger than this are refused with 413. */
    readonly maxBodyBytes: number;
    /**
     * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), as
     * Express's `trust proxy` takes it: false (none), true (any), a number of hops, or addresses and ranges.
     */
    readonly trustProxy: boolean | number | readonly string[];
    /** Requests per second an API key may make unless the key says otherwise (per API instance). */
    readonly rateLimitPerS: number;
  };
  /**
   * Where clients reach the api-gateway from outside (HOOKS_PUBLIC_URL): the base of a source's
   * `ingest_url`, of portal links, and the origin HubSpot signed its URI against behind a proxy.
   */
  readonly publicUrl!: string;
  /** The customer portal served at /portal. */
  readonly portal!: {
    /** CSP frame-ancestors sources (HOOKS_PORTAL_FRAME_ANCESTORS); empty: the portal may not be framed. */
    readonly frameAncestors: readonly string[];
    /** Test-only override of the folder holding the portal's build (HOOKS_PORTAL_DIR); null: <dist>/portal. */
    readonly dir: string | null;
  };
  readonly integrations!: {
    /** Telegram's Bot API base (HOOKS_TELEGRAM_API_URL); tests point it at a local fake. */
    readonly telegramApiUrl: string;
  };
  /** Incoming webhooks (`POST /in/:source_id`). */
  readonly sources!: {
    /** Larger bodies are refused with 413. */
    readonly maxBodyBytes: number;
    /** Requests per second one source accepts (per API instance). */
    readonly rateLimitPerS: number;
    /** Requests per second one client address may make to the ingress, whatever the source (per API instance). */
    readonly addressRateLimitPerS: number;
  };
  readonly ports!: { readonly ingest: number; readonly dispatcher: number; readonly scheduler: number };
  readonly encryptionKey!: Buffer;
  /** Keys that sealed older values: they still open, never seal (see `npm run secrets:reencrypt`). */
  readonly previousEncryptionKeys!: readonly Buffer[];
  readonly allowPrivateNetworks!: boolean;
  readonly allowHttp!: boolean;
  /** Non-public ranges deliveries may still reach (HOOKS_SSRF_ALLOW_CIDRS), e.g. an internal receiver. */
  readonly ssrfAllowCidrs!: readonly string[];
  readonly delivery!: {
    readonly timeoutMs: number;
    readonly retrySchedule: readonly number[];
    readonly concurrency: number;
    readonly perEndpointConcurrency: number;
  };
  readonly circuit!: {
    readonly failureRate: number;
    readonly minRequests: number;
    readonly windowSeconds: number;
    readonly consecutiveFailures: number;
    readonly cooldownSeconds: number;
  };
  /** An endpoint failing without a single success for this long is disabled. */
  readonly endpointDisableAfterMs!: number;
  /** An ad-hoc destination whose deliveries have all ended this long ago is deleted (and stops counting against max_endpoints). */
  readonly adhocRetentionMs!: number;
  readonly ingestBatchSize!: number;
  readonly schedulerIntervalMs!: number;
  readonly dbPoolSize!: number;
  readonly ledger!: {
    /** The Ed25519 seed checkpoints are signed with (HOOKS_LEDGER_SIGNING_KEY); never stored in Postgres. */
    readonly signingKey: Buffer;
    /** Public keys of earlier signing keys (HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS): the checkpointer extends a checkpoint they signed, after a rotation. */
    readonly previousPublicKeys: readonly Buffer[];
    /** A checkpoint is signed once this many events are uncovered… */
    readonly checkpointEvents: number;
    /** …or this long after the last one, when any event is uncovered. */
    readonly checkpointIntervalMs: number;
  };
  readonly retention!: {
    /** The length of a retention day: payloads are sealed with one data key per tenant per day. Only tests shorten it. */
    readonly dayMs: number;
    /** How often the scheduler looks for data keys past their tenant's retention. */
    readonly intervalMs: number;
    /**
     * HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS: lets migration 1732400000069 seal plaintext payloads
     * (and re-chain their streams) even though signed checkpoints already cover them, which
     * invalidates those checkpoints for offline verifiers (docs/payload-encryption.md).
     */
    readonly sealLegacyAfterCheckpoints: boolean;
  };
  readonly logLevel!: string;
  readonly version!: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Variables this app cannot run without (e.g. the API needs HOOKS_ADMIN_API_KEY). */
  readonly require?: readonly (keyof Environment)[];
  readonly version?: string;
  /** False for tools that never touch secrets (the migration CLI). */
  readonly needsEncryptionKey?: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): HookledgerConfig {
  const known = Object.fromEntries(Object.entries(env).filter(([key]) => key === 'NODE_ENV' || key === 'DATABASE_URL' || key === 'NATS_URL' || key.startsWith('HOOKS_')));
  const parsed = plainToInstance(Environment, known);
  const problems = validateSync(parsed, { forbidUnknownValues: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => (message.startsWith(error.property) ? message : `${error.property}: ${message}`)),
  );
  for (const name of options.require ?? []) {
    if (parsed[name] === undefined || parsed[name] === '') problems.push(`${name} is required`);
  }
  const environment = (parsed.NODE_ENV ?? 'production') as HookledgerConfig['environment'];
  if (environment === 'production' && !parsed.HOOKS_ENCRYPTION_KEY && options.needsEncryptionKey !== false) {
    problems.push('HOOKS_ENCRYPTION_KEY is required when NODE_ENV=production (32 bytes, hex or base64)');
  }
  if (environment === 'production' && !parsed.HOOKS_LEDGER_SIGNING_KEY && options.needsEncryptionKey !== false) {
    problems.push('HOOKS_LEDGER_SIGNING_KEY is required when NODE_ENV=production (base64 of a 32-byte Ed25519 seed; `npm start` generates one into .data/ for development)');
  }
  if (environment === 'production' && parsed.HOOKS_RETENTION_DAY !== undefined && durationMs(parsed.HOOKS_RETENTION_DAY) !== 86_400_000) {
    problems.push('HOOKS_RETENTION_DAY is for tests only: in production a retention day is 1d');
  }
  if (parsed.HOOKS_RETENTION_DAY !== undefined && durationMs(parsed.HOOKS_RETENTION_DAY) < 1000) {
    problems.push('HOOKS_RETENTION_DAY must be at least 1s');
  }
  const ssrfAllowCidrs = (parsed.HOOKS_SSRF_ALLOW_CIDRS ?? '').split(',').map((text) => text.trim()).filter(Boolean);
  const badCidrs = ssrfAllowCidrs.filter((cidr) => !ipaddr.isValidCIDR(cidr));
  if (badCidrs.length > 0) {
    problems.push(`HOOKS_SSRF_ALLOW_CIDRS must be comma-separated CIDR ranges such as 10.0.0.0/8 or fd00::/8; not ${badCidrs.join(', ')}`);
  }
  const trustProxy = parseTrustProxy(parsed.HOOKS_TRUST_PROXY, problems);
  const frameAncestors = parseFrameAncestors(parsed.HOOKS_PORTAL_FRAME_ANCESTORS, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    environment,
    databaseUrl: parsed.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hookledger',
    migrationDatabaseUrl: parsed.HOOKS_MIGRATION_DATABASE_URL ?? parsed.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hookledger',
    natsUrl: parsed.NATS_URL ?? 'nats://127.0.0.1:4222',
    natsNamespace: parsed.HOOKS_NATS_NAMESPACE ?? 'hooks',
    api: {
      host: parsed.HOOKS_API_HOST ?? '0.0.0.0',
      port: parsed.HOOKS_API_PORT ?? 3000,
      adminApiKey: parsed.HOOKS_ADMIN_API_KEY ?? null,
      maxBodyBytes: parsed.HOOKS_MAX_BODY_BYTES ?? 256 * 1024,
      rateLimitPerS: parsed.HOOKS_API_RATE_LIMIT_PER_S ?? 1000,
      trustProxy,
    },
    publicUrl: (parsed.HOOKS_PUBLIC_URL ?? `http://127.0.0.1:${parsed.HOOKS_API_PORT ?? 3000}`).replace(/\/+$/, ''),
    portal: { frameAncestors, dir: parsed.HOOKS_PORTAL_DIR || null },
    integrations: {
      telegramApiUrl: (parsed.HOOKS_TELEGRAM_API_URL ?? 'https://api.telegram.org').replace(/\/+$/, ''),
    },
    sources: {
      maxBodyBytes: parsed.HOOKS_SOURCE_MAX_BODY_BYTES ?? 1024 * 1024,
      rateLimitPerS: parsed.HOOKS_SOURCE_RATE_LIMIT_PER_S ?? 100,
      addressRateLimitPerS: parsed.HOOKS_SOURCE_ADDRESS_RATE_LIMIT_PER_S ?? 50,
    },
    ports: {
      ingest: parsed.HOOKS_INGEST_PORT ?? 3001,
      dispatcher: parsed.HOOKS_DISPATCHER_PORT ?? 3002,
      scheduler: parsed.HOOKS_SCHEDULER_PORT ?? 3003,
    },
    encryptionKey: parsed.HOOKS_ENCRYPTION_KEY ? keyBytes(parsed.HOOKS_ENCRYPTION_KEY) : DEVELOPMENT_ENCRYPTION_KEY,
    previousEncryptionKeys: (parsed.HOOKS_ENCRYPTION_KEY_PREVIOUS ?? '').split(',').map((text) => text.trim()).filter(Boolean).map(keyBytes),
    allowPrivateNetworks: parsed.HOOKS_ALLOW_PRIVATE_NETWORKS ?? environment === 'development',
    allowHttp: parsed.HOOKS_ALLOW_HTTP ?? environment === 'development',
    ssrfAllowCidrs,
    delivery: {
      timeoutMs: parsed.HOOKS_DELIVERY_TIMEOUT_MS ?? 15000,
      retrySchedule: parsed.HOOKS_RETRY_SCHEDULE
        ? parsed.HOOKS_RETRY_SCHEDULE.split(',').map((s) => Number(s.trim()))
        : DEFAULT_RETRY_SCHEDULE,
      concurrency: parsed.HOOKS_DISPATCH_CONCURRENCY ?? 256,
      perEndpointConcurrency: parsed.HOOKS_ENDPOINT_CONCURRENCY ?? 32,
    },
    circuit: {
      failureRate: parsed.HOOKS_CIRCUIT_FAILURE_RATE ?? 0.5,
      minRequests: parsed.HOOKS_CIRCUIT_MIN_REQUESTS ?? 10,
      windowSeconds: parsed.HOOKS_CIRCUIT_WINDOW_S ?? 60,
      consecutiveFailures: parsed.HOOKS_CIRCUIT_CONSECUTIVE_FAILURES ?? 5,
      cooldownSeconds: parsed.HOOKS_CIRCUIT_COOLDOWN_S ?? 30,
    },
    endpointDisableAfterMs: durationMs(parsed.HOOKS_ENDPOINT_DISABLE_AFTER ?? '5d'),
    adhocRetentionMs: durationMs(parsed.HOOKS_ADHOC_RETENTION ?? '1d'),
    ingestBatchSize: parsed.HOOKS_INGEST_BATCH_SIZE ?? 500,
    schedulerIntervalMs: parsed.HOOKS_SCHEDULER_INTERVAL_MS ?? 500,
    dbPoolSize: parsed.HOOKS_DB_POOL_SIZE ?? 10,
    ledger: {
      signingKey: parsed.HOOKS_LEDGER_SIGNING_KEY ? Buffer.from(parsed.HOOKS_LEDGER_SIGNING_KEY, 'base64') : DEVELOPMENT_LEDGER_SIGNING_KEY,
      previousPublicKeys: (parsed.HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS ?? '').split(',').map((text) => text.trim()).filter(Boolean).map((text) => Buffer.from(text, 'base64')),
      checkpointEvents: parsed.HOOKS_LEDGER_CHECKPOINT_EVENTS ?? 10_000,
      checkpointIntervalMs: durationMs(parsed.HOOKS_LEDGER_CHECKPOINT_INTERVAL ?? '10s'),
    },
    retention: {
      dayMs: durationMs(parsed.HOOKS_RETENTION_DAY ?? '1d'),
      intervalMs: durationMs(parsed.HOOKS_RETENTION_INTERVAL ?? '1m'),
      sealLegacyAfterCheckpoints: parsed.HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS ?? false,
    },
    logLevel: parsed.HOOKS_LOG_LEVEL ?? 'info',
    version: options.version ?? '0.1.0',
  }) as HookledgerConfig;
}

/** 64 hex characters or 44 base64 characters, already validated. */
function keyBytes(text: string): Buffer {
  return text.length === 64 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5d`, `12h`, `30m`, `45s`, `250ms`, or plain seconds. */
function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+)(ms|s|m|h|d)?$/.exec(text) ?? [];
  return Number(amount) * UNIT_MS[unit ?? 's'];
}

/** Express's own names for address ranges, next to plain addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(value: string | undefined, problems: string[]): boolean | number | readonly string[] {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.filter((entry) => !PROXY_RANGE_NAMES.has(entry) && !ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry));
  if (bad.length > 0) {
    problems.push(`HOOKS_TRUST_PROXY must be false, true, a number of hops, or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal; not ${bad.join(', ')}`);
  }
  return entries;
}

/**
 * An origin a browser matches a frame-ancestors source against: scheme, host (optionally `*.` for
 * its subdomains) and port, nothing else — a path, quote or semicolon would change the policy.
 */
const FRAME_ANCESTOR = /^(https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?|'self')$/i;

function parseFrameAncestors(value: string | undefined, problems: string[]): readonly string[] {
  const entries = (value ?? '').split(/\s+/).filter(Boolean);
  if (entries.length === 1 && entries[0] === "'none'") return [];
  const bad = entries.filter((entry) => !FRAME_ANCESTOR.test(entry));
  if (bad.length > 0) {
    problems.push(`HOOKS_PORTAL_FRAME_ANCESTORS must be space-separated origins such as https://app.example.com https://*.example.com (or 'self'); not ${bad.join(', ')}`);
  }
  return entries;
}
