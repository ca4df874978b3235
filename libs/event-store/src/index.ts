export * from './event';
export { EventStore } from './event-store';
export { EventReader, ZERO_CHECKPOINT } from './event-reader';
export { loadCheckpoint, saveCheckpoint, claimCheckpoint } from './checkpoint-store';
export type { ReadBatch, Checkpoint } from './event-reader';
export { DatabaseModule } from './database.module';
export { createDataSource, dataSourceOptions } from './data-source';
export type { DatabaseOptions } from './data-source';
export { migrate, ensureDatabase } from './migrate';
