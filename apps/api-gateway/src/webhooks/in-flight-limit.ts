/**
 * At most `capacity` tasks at once; one more is refused at once rather than queued, so a burst
 * costs the process nothing but the refusals.
 */
export class InFlightLimit {
  private inFlight = 0;

  constructor(readonly capacity: number) {}

  /** Runs `task` in a free slot and answers its result, or answers `refused` without running it when none is free. */
  async run<T, R>(task: () => Promise<T>, refused: () => R): Promise<T | R> {
    if (this.inFlight >= this.capacity) return refused();
    this.inFlight++;
    try {
      return await task();
    } finally {
      this.inFlight--;
    }
  }
}
