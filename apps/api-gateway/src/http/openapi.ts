import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, OperationObject, ResponseObject, SwaggerModule } from '@nestjs/swagger';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from './idempotency-key';
import { NATURALLY_IDEMPOTENT_EXTENSION } from './idempotency.interceptor';
import { ProblemDetails } from './problem-details';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };

/** `EndpointsController.create` → `endpoints.create`: unique, and what generators turn into `endpoints.create()` or `endpointsCreate()`. */
export const operationId = (controllerKey: string, methodKey: string): string => {
  const resource = controllerKey.replace(/Controller$/, '');
  return `${resource.charAt(0).toLowerCase()}${resource.slice(1)}.${methodKey}`;
};

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Hookledger API')
      .setDescription('Signed webhook delivery with an append-only ledger of every attempt. Errors are application/problem+json (RFC 9457).')
      .setVersion(version)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
      .build(),
    { extraModels: [ProblemDetails], operationIdFactory: operationId },
  );
  return completeOperations(document);
}

/** Serves the OpenAPI document at /openapi.json and the Swagger UI at /docs. */
export function mountOpenApi(app: INestApplication, version: string): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, version), { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}

/**
 * What holds for every API route, written once here rather than on each handler, so a new route
 * cannot forget it: bearer security, problem+json error answers, and on every POST that is not
 * naturally idempotent the Idempotency-Key header and its 409 and 422.
 */
export function completeOperations(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.parameters = {
    ...document.components.parameters,
    IdempotencyKey: {
      name: IDEMPOTENCY_HEADER, in: 'header', required: false,
      description: 'Makes a retry safe: the first request with a key runs, and its 2xx answer is replayed to any retry of the same request for 24 h.',
      schema: { type: 'string', minLength: 1, maxLength: 255 }, example: '3f0c6a5e-8f1d-4f7e-9b0a-2d9c4f1e7a61',
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation && path.startsWith('/v1/')) completeOperation(operation, method, path);
    }
  }
  return document;
}

function completeOperation(operation: OperationObject, method: (typeof METHODS)[number], path: string): void {
  const marked = operation as OperationObject & Record<string, unknown>;
  const idempotent = method === 'post' && !marked[NATURALLY_IDEMPOTENT_EXTENSION];
  delete marked[NATURALLY_IDEMPOTENT_EXTENSION];
  if (!operation.security?.length) operation.security = [{ bearer: [] }];

  addProblem(operation, '401', 'Missing or invalid API key');
  addProblem(operation, '429', "The key made more requests this second than its rate_limit_per_s; Retry-After says when to send again");
  const queried = operation.parameters?.some((parameter) => 'in' in parameter && parameter.in === 'query');
  if (operation.requestBody || queried || idempotent) addProblem(operation, '400', 'The request is invalid; errors names each field');
  if (path.includes('{')) addProblem(operation, '404', 'No such resource');
  if (idempotent) {
    operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
    addProblem(operation, '409', `A request with the same ${IDEMPOTENCY_HEADER} is still in progress`);
    addProblem(operation, '422', `The ${IDEMPOTENCY_HEADER} was already used for a different request`);
    for (const [status, response] of Object.entries(operation.responses)) {
      if (status.startsWith('2') && response && !('$ref' in response)) {
        response.headers = { ...response.headers, [REPLAYED_HEADER]: { description: 'Present when this is the stored answer to an earlier request with the same key', schema: { type: 'string', enum: ['true'] } } };
      }
    }
  }
  for (const [status, response] of Object.entries(operation.responses)) {
    if (Number(status) >= 400 && response && !('$ref' in response)) response.content ??= PROBLEM;
  }
}

/** Adds a problem answer, or joins the description to one the handler already documents. */
function addProblem(operation: OperationObject, status: string, description: string): void {
  const existing = operation.responses[status] as ResponseObject | undefined;
  operation.responses[status] = existing
    ? { ...existing, description: existing.description.includes(description) ? existing.description : `${existing.description}; or: ${description}`, content: PROBLEM }
    : { description, content: PROBLEM };
}
