import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@hookledger/observability';
import type { OwnedResource } from '../auth/access';

const MESSAGES: Record<OwnedResource, (id: string) => string> = {
  endpoint: (id) => `Endpoint ${id} does not exist.`,
  delivery: (id) => `Delivery ${id} does not exist.`,
  event: (id) => `Event ${id} does not exist (yet: accepted events appear once ingested).`,
  replay: (id) => `Replay ${id} does not exist.`,
  tenant: (id) => `Tenant ${id} does not exist.`,
  'api-key': (id) => `API key ${id} does not exist.`,
  stream: (id) => `Stream ${id} does not exist.`,
  source: (id) => `Source ${id} does not exist.`,
};

/**
 * The one 404 of each resource. The tenant guard answers another tenant's resource with it too,
 * so the two cannot drift apart and tell a caller that an id it may not see is taken.
 */
export const notFound = (resource: OwnedResource, id: string) => new ProblemException(HttpStatus.NOT_FOUND, MESSAGES[resource](id));
