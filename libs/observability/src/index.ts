export { createPino, JsonLogger } from './logger';
export { ProblemFilter, ProblemException, problem } from './problem';
export type { Problem } from './problem';
export { MetricsModule, MetricsController, metricsRegistry } from './metrics';
export { runApp } from './bootstrap';
export type { AppDefinition } from './bootstrap';
export { HealthModule, HealthController } from './health';
export { PUBLIC_ROUTE } from './public-route';
