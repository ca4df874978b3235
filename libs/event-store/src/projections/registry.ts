import { apiKeysProjector } from './api-keys.projector';
import { endpointsProjector } from './endpoints.projector';
import { deliveriesProjector } from './deliveries.projector';
import { eventTypesProjector } from './event-types.projector';
import { messagesProjector } from './messages.projector';
import type { Projector } from './projector';
import { tenantsProjector } from './tenants.projector';
import { replaysProjector } from './replays.projector';
import { endpointHealthProjector } from './endpoint-health.projector';
import { sourcesProjector } from './sources.projector';

/**
 * Every projector, in the order inline ones apply within an append. The apps' EventStore and the
 * rebuild CLI both read this list, so a projector added here is live and rebuildable at once.
 */
export const PROJECTORS: readonly Projector[] = [
  eventTypesProjector, tenantsProjector, apiKeysProjector, endpointsProjector, messagesProjector, deliveriesProjector, replaysProjector,
  endpointHealthProjector, sourcesProjector,
];

export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(readonly unknown: readonly string[], readonly known: readonly string[]) {
    super(`unknown projection${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${known.join(', ')}`);
  }
}

/** The named projectors (all when none is named); throws UnknownProjectionError naming every unknown one. */
export function projectorsNamed(names: readonly string[], projectors: readonly Projector[] = PROJECTORS): Projector[] {
  if (names.length === 0) return [...projectors];
  const known = projectors.map((projector) => projector.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UnknownProjectionError(unknown, known);
  return projectors.filter((projector) => names.includes(projector.name));
}
