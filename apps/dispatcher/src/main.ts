import { runApp } from '@hookledger/observability';
import { DispatcherModule } from './dispatcher.module';

void runApp({
  service: 'dispatcher',
  module: (config) => DispatcherModule.forRoot(config),
  listen: (config) => ({ host: config.api.host, port: config.ports.dispatcher }),
});
