/** The send must not wait here: its turn is about `retryInMs` away, too far to hold the command. */
export interface Throttled {
  readonly retryInMs: number;
}

/** One endpoint's line: when its last send went, and the sends waiting for their turn. */
interface Line {
  last: number;
  spacingMs: number;
  readonly waiting: (() => void)[];
  timer: NodeJS.Timeout | null;
}

const SWEEP_EVERY_MS = 60_000;

/**
 * `rate_limit_per_s`: sends to an endpoint go at least 1/N s apart, so no one-second window ever
 * holds more than N. Evenly spaced rather than in bursts of N: a burst's requests reach the
 * receiver with a few milliseconds of jitter, enough to push the next second's burst into the
 * same window; spaced sends can slip by one at most. (A token bucket holding N would even let
 * 2N − 1 through in a second: a full bucket, then its refill.)
 *
 * Sends wait in line, first come first served; each is timed from when it was let through, so a
 * late timer only ever spreads sends out. The line is bounded to `maxWaitMs` worth of sends;
 * beyond it the caller hands the command back for later.
 *
 * The limit holds per dispatcher instance: with several instances an endpoint can get up to
 * N per second from each.
 */
export class EndpointRateLimiter {
  private readonly lines = new Map<string, Line>();
  private lastSweep: number;

  constructor(private readonly maxWaitMs: number, private readonly clock: () => number = () => performance.now()) {
    this.lastSweep = clock();
  }

  /** Resolves null when the send may go now, or Throttled when the line is full. */
  async take(endpointId: string, perSecond: number | null): Promise<Throttled | null> {
    if (perSecond === null || perSecond <= 0) return null;
    this.sweep();
    const line = this.lineOf(endpointId, 1000 / perSecond);
    if (line.waiting.length >= Math.max(1, Math.floor(this.maxWaitMs / line.spacingMs))) {
      return { retryInMs: Math.ceil((line.waiting.length + 1) * line.spacingMs) };
    }
    const turn = new Promise<null>((resolve) => line.waiting.push(() => resolve(null)));
    this.letThrough(line);
    return turn;
  }

  private letThrough(line: Line): void {
    if (line.timer || line.waiting.length === 0) return;
    const now = this.clock();
    const free = line.last + line.spacingMs;
    if (free > now) {
      line.timer = setTimeout(() => {
        line.timer = null;
        this.letThrough(line);
      }, Math.ceil(free - now));
      return;
    }
    line.last = now;
    line.waiting.shift()?.();
    this.letThrough(line);
  }

  private lineOf(endpointId: string, spacingMs: number): Line {
    let line = this.lines.get(endpointId);
    if (!line) {
      line = { last: -Infinity, spacingMs, waiting: [], timer: null };
      this.lines.set(endpointId, line);
    } else if (line.spacingMs !== spacingMs) {
      // The limit changed: the line's timer was set for the old one.
      line.spacingMs = spacingMs;
      if (line.timer) clearTimeout(line.timer);
      line.timer = null;
    }
    return line;
  }

  /** Forgets idle endpoints whose next send would go at once anyway. */
  private sweep(): void {
    const now = this.clock();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, line] of this.lines) {
      if (line.waiting.length === 0 && !line.timer && line.last + line.spacingMs <= now) this.lines.delete(id);
    }
  }
}
