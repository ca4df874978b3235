import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { CatchUpProjection, PROJECTORS } from '@hookledger/event-store';
import { PeriodicTask } from './periodic-task';

/**
 * Keeps every async projection of PROJECTORS (endpoint health, …) caught up with the store: each
 * tick steps each one, and ticks again at once while any step read a full batch. A failing
 * projection is logged and retried next tick without holding the others back. Several schedulers
 * may run it: a step claims its projection's checkpoint, so the others wait and go on from there.
 */
@Injectable()
export class ProjectionCatchUp extends PeriodicTask {
  protected readonly intervalMs: number;
  private readonly projections: readonly CatchUpProjection[];

  constructor(db: DataSource, config: HookledgerConfig) {
    super();
    this.intervalMs = config.schedulerIntervalMs;
    this.projections = PROJECTORS.filter((projector) => projector.mode === 'async').map((projector) => new CatchUpProjection(db, projector));
  }

  protected async tick(): Promise<boolean> {
    let more = false;
    for (const projection of this.projections) {
      try {
        if ((await projection.step()) === projection.batchSize) more = true;
      } catch (error) {
        this.logger.error({ msg: 'projection catch-up failed', projection: projection.projector.name, err: error });
      }
    }
    return more;
  }
}
