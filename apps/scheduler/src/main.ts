import { runApp } from '@hookledger/observability';
import { SchedulerModule } from './scheduler.module';

void runApp({
  service: 'scheduler',
  module: (config) => SchedulerModule.forRoot(config),
  listen: (config) => ({ host: config.api.host, port: config.ports.scheduler }),
});
