import { Validation, invalid, valid } from '../validation';

/** Seconds to wait before each retry after the first attempt; index 0 is the wait before attempt 2. */
export type RetrySchedule = readonly number[];

export const RETRY_JITTER = 0.2;
export const MIN_RETRY_AFTER_SECONDS = 1;
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

export interface NextRetryInput {
  /** Attempts already made, including the one that just failed (≥ 1). */
  readonly attemptsMade: number;
  readonly schedule: RetrySchedule;
  readonly now: Date;
  /** A number in [0, 1), as Math.random gives; injected so tests are deterministic. */
  readonly random: () => number;
  /** The receiver's Retry-After (429/503), in seconds; replaces the scheduled wait. */
  readonly retryAfterSeconds?: number | null;
}

/** When the next attempt is due, or null when the schedule is exhausted. */
export function nextRetry(input: NextRetryInput): { readonly at: Date } | null {
  const { attemptsMade, schedule, now } = input;
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) throw new RangeError('attemptsMade must be a whole number ≥ 1');
  if (attemptsMade > schedule.length) return null;
  const seconds =
    input.retryAfterSeconds != null
      ? clampRetryAfter(input.retryAfterSeconds)
      : withJitter(schedule[attemptsMade - 1], input.random());
  return { at: new Date(now.getTime() + Math.round(seconds * 1000)) };
}

/** Keeps a receiver's Retry-After between 1 s and 24 h: neither a hot loop nor a stalled delivery. */
export function clampRetryAfter(seconds: number): number {
  if (!Number.isFinite(seconds)) return MAX_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, seconds));
}

// ±20 % spreads retries of an outage's backlog so they do not all land on the receiver at once.
function withJitter(seconds: number, random: number): number {
  return seconds * (1 + (random * 2 - 1) * RETRY_JITTER);
}

/** Checks a per-endpoint schedule a user gives: whole seconds, each at most 24 h. */
export function validateRetrySchedule(schedule: unknown): Validation {
  if (!Array.isArray(schedule)) return invalid('retry_schedule must be a list of seconds');
  if (schedule.length > 50) return invalid('retry_schedule has at most 50 entries');
  const bad = schedule.findIndex((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > MAX_RETRY_AFTER_SECONDS);
  return bad === -1 ? valid : invalid(`retry_schedule[${bad}] must be whole seconds between 0 and ${MAX_RETRY_AFTER_SECONDS}`);
}
