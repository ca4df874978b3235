import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { loadPackage } from '@nestjs/common/utils/load-package.util.js';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { loadConfig } from '@hookledger/config';
import { ProblemFilter } from '@hookledger/observability';
import { natsUrl, TestInfrastructure } from '@hookledger/testing';
import { ApiGatewayModule } from '../app.module';
import { mountOpenApi } from './openapi';

/** Served by the app but deliberately not part of the API description. */
const NOT_API = [/^GET \/metrics$/, /^GET \/docs/, /^GET \/openapi\.(json|yaml)$/];

interface Route {
  readonly method: string;
  readonly path: string;
}

let infrastructure: TestInfrastructure;
let app: INestApplication;
let document: OpenAPIObject;
let routes: Route[];

beforeAll(async () => {
  // Nest loads these lazily with import(), which Jest's CommonJS runtime cannot do: hand them over first.
  await loadPackage('class-validator', 'ValidationPipe', async () => import('class-validator'));
  await loadPackage('class-transformer', 'ValidationPipe', async () => import('class-transformer'));
  infrastructure = await TestInfrastructure.create();
  const config = loadConfig(
    { ...process.env, DATABASE_URL: infrastructure.database.url, NATS_URL: natsUrl(), HOOKS_NATS_NAMESPACE: infrastructure.namespace, HOOKS_ADMIN_API_KEY: 'openapi-test-key' },
    { require: ['HOOKS_ADMIN_API_KEY'] },
  );
  // The adapter given, not loaded by name: Jest's module system cannot import it lazily.
  app = await NestFactory.create(ApiGatewayModule.forRoot(config), new ExpressAdapter(), { logger: false, abortOnError: false });
  app.useGlobalFilters(new ProblemFilter());
  mountOpenApi(app, config.version);
  await app.listen(0, '127.0.0.1');
  routes = registeredRoutes(app);
  document = await (await fetch(`${await app.getUrl()}/openapi.json`)).json() as OpenAPIObject;
});

afterAll(async () => {
  await app?.close();
  await infrastructure?.close();
});

/** Every route the running app answers, as Express holds them (`/v1/endpoints/:id` → `/v1/endpoints/{id}`). */
function registeredRoutes(nest: INestApplication): Route[] {
  const express = nest.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack
    .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })) : []))
    .map((route) => ({ method: route.method, path: route.path.replace(/:(\w+)/g, '{$1}') }))
    .filter((route) => !NOT_API.some((pattern) => pattern.test(`${route.method} ${route.path}`)));
}

const operationOf = (route: Route): OperationObject | undefined =>
  document.paths[route.path]?.[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'];

const problemsOf = (route: Route, check: (route: Route, operation: OperationObject) => string | null): string[] =>
  routes.flatMap((route) => {
    const operation = operationOf(route);
    const problem = operation ? check(route, operation) : null;
    return problem ? [`${route.method} ${route.path}: ${problem}`] : [];
  });

const response = (operation: OperationObject, status: string) => operation.responses[status] as ResponseObject | undefined;

it('finds the routes of the running app', () => {
  expect(routes).toEqual(expect.arrayContaining([
    { method: 'POST', path: '/v1/endpoints' }, { method: 'GET', path: '/v1/deliveries/{id}/attempts' }, { method: 'GET', path: '/health' },
  ]));
});

it('documents every route the app serves', () => {
  expect(routes.filter((route) => !operationOf(route)).map((route) => `${route.method} ${route.path}`)).toEqual([]);
});

it('gives every operation a unique operationId a generator can name a method after', () => {
  const ids = routes.map((route) => operationOf(route)?.operationId);
  for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/);
  expect(new Set(ids).size).toBe(ids.length);
});

it('gives every operation a success answer with a schema (or 204 without a body)', () => {
  expect(problemsOf({} as Route, (_route, operation) => {
    const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
    if (success.length === 0) return 'no 2xx answer';
    // JSON for every answer but the streamed export, which is NDJSON or CSV.
    const schemaless = success.filter(([status, answer]) => status !== '204' && !Object.values((answer as ResponseObject).content ?? {}).some((media) => media.schema));
    return schemaless.length > 0 ? `no schema for ${schemaless.map(([status]) => status).join(', ')}` : null;
  })).toEqual([]);
});

it('documents application/problem+json error answers on every API route: 401, 403, 429, 400 with a body or query, 404 with an id', () => {
  expect(problemsOf({} as Route, (route, operation) => {
    if (!route.path.startsWith('/v1/')) return null;
    const queried = operation.parameters?.some((parameter) => 'in' in parameter && parameter.in === 'query');
    const missing = ['401', '403', '429', ...(operation.requestBody || queried ? ['400'] : []), ...(route.path.includes('{') ? ['404'] : [])]
      .filter((status) => !response(operation, status));
    if (missing.length > 0) return `no ${missing.join(', ')}`;
    const untyped = Object.entries(operation.responses)
      .filter(([status, answer]) => Number(status) >= 400 && !(answer as ResponseObject).content?.['application/problem+json']);
    if (untyped.length > 0) return `${untyped.map(([status]) => status).join(', ')} not problem+json`;
    return operation.security?.some((requirement) => 'bearer' in requirement) ? null : 'no bearer security';
  })).toEqual([]);
});

it('documents Idempotency-Key with its 409 and 422 on creating POSTs, and not on naturally idempotent ones', () => {
  const hasKey = (operation: OperationObject | undefined) =>
    (operation?.parameters ?? []).some((parameter) => '$ref' in parameter && parameter.$ref === '#/components/parameters/IdempotencyKey');
  for (const path of ['/v1/endpoints', '/v1/event-types', '/v1/events', '/v1/events/batch', '/v1/endpoints/{id}/replay', '/v1/deliveries/{id}/retry']) {
    const operation = operationOf({ method: 'POST', path });
    expect({ path, key: hasKey(operation), 409: !!response(operation!, '409'), 422: !!response(operation!, '422') })
      .toEqual({ path, key: true, 409: true, 422: true });
  }
  expect(hasKey(operationOf({ method: 'POST', path: '/v1/endpoints/{id}/disable' }))).toBe(false);
  expect(routes.filter((route) => route.method !== 'POST').some((route) => hasKey(operationOf(route)))).toBe(false);
  expect(document.components?.parameters?.IdempotencyKey).toMatchObject({ in: 'header', name: 'Idempotency-Key' });
});

it('declares every path parameter', () => {
  expect(problemsOf({} as Route, (route, operation) => {
    const declared = (operation.parameters ?? []).filter((p): p is ParameterObject => 'in' in p && p.in === 'path').map((p) => p.name);
    const missing = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).filter((name) => !declared.includes(name));
    return missing.length > 0 ? `path parameters not declared: ${missing.join(', ')}` : null;
  })).toEqual([]);
});

it('answers lists with a named page schema of typed items', () => {
  const lists = ['/v1/event-types', '/v1/endpoints', '/v1/events', '/v1/deliveries', '/v1/deliveries/{id}/attempts', '/v1/replays'];
  for (const path of lists) {
    const schema = response(operationOf({ method: 'GET', path })!, '200')?.content?.['application/json']?.schema as { $ref?: string };
    expect(schema?.$ref).toMatch(/^#\/components\/schemas\/\w+Page$/);
    const page = document.components!.schemas![schema.$ref!.split('/').pop()!] as { properties: Record<string, { items?: { $ref?: string } }> };
    expect(page.properties.data.items?.$ref).toMatch(/^#\/components\/schemas\//);
    expect(page.properties).toHaveProperty('next_cursor');
  }
});

it('is a valid OpenAPI 3 document: every $ref resolves', () => {
  expect(document.openapi).toMatch(/^3\./);
  expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  const unresolved: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = value.replace(/^#\//, '').split('/').reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], document);
        if (target === undefined) unresolved.push(value);
      } else {
        visit(value);
      }
    }
  };
  visit(document);
  expect(unresolved).toEqual([]);
});
