import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  return value; // left as a string so @IsBoolean reports it, naming the variable
};
const toNumber = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  return /^\d+(\.\d+)?$/.test(String(value).trim()) ? Number(value) : value;
};
const toInt = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  return /^-?\d+$/.test(String(value).trim()) ? Number(value) : value;
};

/**
 * The environment as the processes see it: one property per variable, validated once at start.
 * A property's name is the variable's name, so a validation error names what to fix.
 */
export class Environment {
  @IsOptional() @IsIn(['development', 'test', 'production'])
  NODE_ENV?: string;

  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @IsString() @Matches(/^(nats|tls):\/\/[^,]+(,(nats|tls):\/\/[^,]+)*$/, { message: 'NATS_URL must be one or more comma-separated nats:// URLs' })
  NATS_URL?: string;

  @IsOptional() @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'HOOKS_NATS_NAMESPACE must be lowercase letters, digits, _ or -, starting with a letter' })
  HOOKS_NATS_NAMESPACE?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  HOOKS_API_PORT?: number;

  @IsOptional() @IsString()
  HOOKS_API_HOST?: string;

  /** Checked in loadConfig: false, true, a number of hops, or addresses and ranges of trusted proxies. */
  @IsOptional() @IsString()
  HOOKS_TRUST_PROXY?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  HOOKS_INGEST_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  HOOKS_DISPATCHER_PORT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  HOOKS_SCHEDULER_PORT?: number;

  @IsOptional() @IsString() @MinLength(16, { message: 'HOOKS_ADMIN_API_KEY must be at least 16 characters' }) @MaxLength(256)
  HOOKS_ADMIN_API_KEY?: string;

  @IsOptional() @IsString() @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'HOOKS_PUBLIC_URL must be an http(s) URL without query or fragment, such as https://hooks.example.com' })
  HOOKS_PUBLIC_URL?: string;

  /** Checked in loadConfig: space-separated origins the customer portal may be framed by. */
  @IsOptional() @IsString()
  HOOKS_PORTAL_FRAME_ANCESTORS?: string;

  /** Test-only: the folder the portal's static files are served from, instead of <dist>/portal. */
  @IsOptional() @IsString()
  HOOKS_PORTAL_DIR?: string;

  @IsOptional() @IsString() @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'HOOKS_TELEGRAM_API_URL must be an http(s) URL without query or fragment' })
  HOOKS_TELEGRAM_API_URL?: string;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'HOOKS_SOURCE_MAX_BODY_BYTES must be a whole number of bytes' })
  @Min(1024, { message: 'HOOKS_SOURCE_MAX_BODY_BYTES must be at least 1024' }) @Max(67108864, { message: 'HOOKS_SOURCE_MAX_BODY_BYTES must be at most 67108864 (64 MiB)' })
  HOOKS_SOURCE_MAX_BODY_BYTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1, { message: 'HOOKS_SOURCE_RATE_LIMIT_PER_S must be at least 1' }) @Max(1_000_000)
  HOOKS_SOURCE_RATE_LIMIT_PER_S?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1, { message: 'HOOKS_SOURCE_ADDRESS_RATE_LIMIT_PER_S must be at least 1' }) @Max(1_000_000)
  HOOKS_SOURCE_ADDRESS_RATE_LIMIT_PER_S?: number;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'HOOKS_MAX_BODY_BYTES must be a whole number of bytes' })
  @Min(1024, { message: 'HOOKS_MAX_BODY_BYTES must be at least 1024' }) @Max(67108864, { message: 'HOOKS_MAX_BODY_BYTES must be at most 67108864 (64 MiB)' })
  HOOKS_MAX_BODY_BYTES?: number;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'HOOKS_API_RATE_LIMIT_PER_S must be a whole number of requests per second' })
  @Min(1, { message: 'HOOKS_API_RATE_LIMIT_PER_S must be at least 1' }) @Max(1000000, { message: 'HOOKS_API_RATE_LIMIT_PER_S must be at most 1000000' })
  HOOKS_API_RATE_LIMIT_PER_S?: number;

  @IsOptional() @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'HOOKS_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or 44 base64 characters' })
  HOOKS_ENCRYPTION_KEY?: string;

  @IsOptional() @Matches(/^\s*([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)(\s*,\s*([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=))*\s*$/, {
    message: 'HOOKS_ENCRYPTION_KEY_PREVIOUS must be comma-separated keys of 32 bytes each, as 64 hex characters or 44 base64 characters',
  })
  HOOKS_ENCRYPTION_KEY_PREVIOUS?: string;

  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'HOOKS_ALLOW_PRIVATE_NETWORKS must be true or false' })
  HOOKS_ALLOW_PRIVATE_NETWORKS?: boolean;

  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'HOOKS_ALLOW_HTTP must be true or false' })
  HOOKS_ALLOW_HTTP?: boolean;

  /** Checked in loadConfig: each entry must be a CIDR range. */
  @IsOptional() @IsString()
  HOOKS_SSRF_ALLOW_CIDRS?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(300000)
  HOOKS_DELIVERY_TIMEOUT_MS?: number;

  @IsOptional() @Matches(/^\s*\d+(\s*,\s*\d+)*\s*$/, { message: 'HOOKS_RETRY_SCHEDULE must be comma-separated seconds, e.g. 5,300,1800' })
  HOOKS_RETRY_SCHEDULE?: string;

  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  HOOKS_LOG_LEVEL?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  HOOKS_DISPATCH_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  HOOKS_ENDPOINT_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(5000)
  HOOKS_INGEST_BATCH_SIZE?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(60000)
  HOOKS_SCHEDULER_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100)
  HOOKS_DB_POOL_SIZE?: number;

  @IsOptional() @Transform(toNumber) @IsNumber({}, { message: 'HOOKS_CIRCUIT_FAILURE_RATE must be a number between 0 and 1' }) @Min(0.01) @Max(1)
  HOOKS_CIRCUIT_FAILURE_RATE?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  HOOKS_CIRCUIT_MIN_REQUESTS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  HOOKS_CIRCUIT_WINDOW_S?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  HOOKS_CIRCUIT_CONSECUTIVE_FAILURES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  HOOKS_CIRCUIT_COOLDOWN_S?: number;

  @IsOptional() @Matches(/^\d+(ms|s|m|h|d)?$/, { message: 'HOOKS_ENDPOINT_DISABLE_AFTER must be a duration such as 5d, 12h, 30m, 45s or a number of seconds' })
  HOOKS_ENDPOINT_DISABLE_AFTER?: string;

  @IsOptional() @Matches(/^\d+(ms|s|m|h|d)?$/, { message: 'HOOKS_ADHOC_RETENTION must be a duration such as 1d, 12h, 30m, 45s or a number of seconds' })
  HOOKS_ADHOC_RETENTION?: string;

  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'HOOKS_MIGRATION_DATABASE_URL must be a postgres:// URL' })
  HOOKS_MIGRATION_DATABASE_URL?: string;

  @IsOptional() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'HOOKS_LEDGER_SIGNING_KEY must be the base64 of a 32-byte Ed25519 seed (44 characters)' })
  HOOKS_LEDGER_SIGNING_KEY?: string;

  @IsOptional() @Matches(/^\s*[A-Za-z0-9+/]{43}=(\s*,\s*[A-Za-z0-9+/]{43}=)*\s*$/, {
    message: 'HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS must be comma-separated base64 Ed25519 public keys (32 bytes, 44 characters each)',
  })
  HOOKS_LEDGER_PREVIOUS_PUBLIC_KEYS?: string;

  @IsOptional() @Transform(toInt) @IsInt({ message: 'HOOKS_LEDGER_CHECKPOINT_EVENTS must be a whole number of events' })
  @Min(1, { message: 'HOOKS_LEDGER_CHECKPOINT_EVENTS must be at least 1' }) @Max(10000000, { message: 'HOOKS_LEDGER_CHECKPOINT_EVENTS must be at most 10000000' })
  HOOKS_LEDGER_CHECKPOINT_EVENTS?: number;

  @IsOptional() @Matches(/^\d+(ms|s|m|h|d)?$/, { message: 'HOOKS_LEDGER_CHECKPOINT_INTERVAL must be a duration such as 10s, 1m or 500ms' })
  HOOKS_LEDGER_CHECKPOINT_INTERVAL?: string;

  @IsOptional() @Matches(/^\d+(ms|s|m|h|d)?$/, { message: 'HOOKS_RETENTION_DAY must be a duration such as 1d (test set-ups shorten it to seconds)' })
  HOOKS_RETENTION_DAY?: string;

  @IsOptional() @Matches(/^\d+(ms|s|m|h|d)?$/, { message: 'HOOKS_RETENTION_INTERVAL must be a duration such as 1m or 30s' })
  HOOKS_RETENTION_INTERVAL?: string;

  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS must be true or false' })
  HOOKS_SEAL_LEGACY_AFTER_CHECKPOINTS?: boolean;
}
