import { runApp } from '@hookledger/observability';
import { IngestModule } from './ingest.module';

void runApp({
  service: 'ingest',
  module: (config) => IngestModule.forRoot(config),
  listen: (config) => ({ host: config.api.host, port: config.ports.ingest }),
});
