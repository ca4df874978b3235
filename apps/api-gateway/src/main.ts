import type { NestExpressApplication } from '@nestjs/platform-express';
import { runApp } from '@hookledger/observability';
import { ApiGatewayModule } from './app.module';
import { mountOpenApi } from './http/openapi';
import { PORTAL_PATH, portalHandler } from './portal/portal-static';
import { isIngressRequest } from './sources/ingress-path';

void runApp({
  service: 'api-gateway',
  config: { require: ['HOOKS_ADMIN_API_KEY'] },
  module: (config) => ApiGatewayModule.forRoot(config),
  listen: (config) => config.api,
  configure: (app, config) => {
    const express = app as NestExpressApplication;
    // Incoming webhooks are verified over the bytes as received, whatever their content type: a raw
    // parser takes their body first (the JSON parser then finds it read), with the sources' own limit.
    express.useBodyParser('raw', { limit: config.sources.maxBodyBytes, type: isIngressRequest });
    express.useBodyParser('json', { limit: config.api.maxBodyBytes, type: ['application/json', 'application/*+json'] });
    express.disable('x-powered-by');
    // Express would hash every JSON answer (SHA-1) for a weak ETag that no client of this API uses:
    // conditional requests are not part of it. The portal's files keep theirs (serve-static's own).
    express.set('etag', false);
    // Who the client is (request.ip), for the limits on requests without a valid key: see HOOKS_TRUST_PROXY.
    express.set('trust proxy', config.api.trustProxy);
    mountOpenApi(app, config.version);
    // Static files ahead of Nest's routes: no API key, no JSON middleware (./portal).
    express.use(PORTAL_PATH, portalHandler(config));
  },
});
