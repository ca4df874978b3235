import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';

/**
 * A loop that runs `tick()` every interval, at once again while a tick reports it had a full
 * batch, and stops cleanly at shutdown (waiting for the tick in progress) before the database
 * and NATS connections close.
 */
export abstract class PeriodicTask implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  protected abstract readonly intervalMs: number;

  /** One round of work; returns true when there is more to do right away. */
  protected abstract tick(): Promise<boolean>;

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run().finally(() => (this.running = null));
    }, delayMs);
  }

  private async run(): Promise<void> {
    let more = false;
    try {
      more = await this.tick();
    } catch (error) {
      this.logger.error({ msg: `${this.constructor.name} failed`, err: error });
    }
    this.schedule(more ? 0 : this.intervalMs);
  }
}
