/**
 * Every place a request names something a tenant owns, read from the running system's OpenAPI
 * document: path parameters, query parameters, headers and body fields. The oracle walk in
 * tenancy.e2e.spec.ts fills each with another tenant's id and with an id that does not exist, so a
 * new route or field is held to "another tenant's id looks like no id at all" without anyone
 * remembering to add it — and a name this file does not know fails the walk until it is classified.
 */

/** What an id names. `shared`: the one catalog all tenants read (event types), no tenant's secret. */
export type Owned = 'tenant' | 'endpoint' | 'event' | 'delivery' | 'replay' | 'apiKey' | 'stream' | 'actor' | 'idempotencyKey' | 'source';

export interface IdSlot {
  /** The route as OpenAPI names it, e.g. `GET /v1/deliveries`. */
  readonly route: string;
  readonly where: 'path' | 'query' | 'header' | 'body';
  /** The parameter's name, or the body field's path (`events[].id`). */
  readonly name: string;
  readonly names: Owned;
  /** The id names something the request creates (an event's own id): each try needs a fresh one. */
  readonly creates?: boolean;
}

/** What `{id}` names under each collection. */
const COLLECTIONS: Record<string, Owned | 'shared'> = {
  '/v1/endpoints/': 'endpoint', '/v1/events/': 'event', '/v1/deliveries/': 'delivery', '/v1/replays/': 'replay',
  '/v1/tenants/': 'tenant', '/v1/api-keys/': 'apiKey', '/v1/event-types/': 'shared', '/v1/audit/streams/': 'stream', '/v1/sources/': 'source',
  // Signed checkpoints cover the whole ledger: one sequence for every tenant.
  '/v1/audit/checkpoints/': 'shared',
};

/** Parameters and fields by name: what they name, or null for those that name nothing a tenant owns. */
const NAMES: Record<string, Owned | 'shared' | null> = {
  tenant_id: 'tenant', endpoint_id: 'endpoint', event_id: 'event', stream_id: 'stream', actor: 'actor', 'Idempotency-Key': 'idempotencyKey',
  // Event types are one catalog for all tenants.
  type: 'shared', event_type: 'shared', event_types: 'shared',
  // An opaque position in a list the key may read anyway.
  cursor: null,
  limit: null, include_archived: null, active: null, channel: null, channels: null, since: null, until: null, status: null, state: null, revoked: null,
  name: null, description: null, schema: null, archived: null, url: null, secret: null, headers: null, retry_schedule: null, timeout_ms: null,
  rate_limit_per_s: null, metadata: null, auth: null, 'auth.type': null, 'auth.username': null, 'auth.password': null, 'auth.token': null,
  filter: null, payload_format: null, signature_profile: null, reason: null, data: null, destination: null, 'destination.url': null,
  grace_period_s: null, signature: null, timestamp: null, tolerance_s: null, quotas: null, expires_in_s: null, role: null, expires_at: null, events: null,
  // The delivery history's attempt outcome (succeeded, failed, a reason code).
  outcome: null,
  // A chat provider's options and message template (an endpoint's `type` is one of webhook, slack, discord, telegram).
  provider: null, template: null,
  // The export's format, and the checkpoints online verification runs between.
  format: null, from: null, to: null,
  'quotas.max_endpoints': null, 'quotas.max_events_per_month': null, payload_retention_days: null,
  // The portal's look for a tenant, and the health series' resolution.
  branding: null, 'branding.name': null, 'branding.logo_url': null, 'branding.accent_color': null, buckets: null,
};

/** Body fields whose meaning depends on the route. */
const BODY_IDS: Record<string, Record<string, Omit<IdSlot, 'route' | 'where' | 'name'>>> = {
  'POST /v1/events': { id: { names: 'event', creates: true } },
  'POST /v1/events/batch': { 'events[].id': { names: 'event', creates: true } },
  'POST /v1/tenants': { id: { names: 'tenant' } },
  // The message a received request names: the id field, the webhook-id or X-GitHub-Delivery header, or the body's id.
  'POST /v1/webhooks/verify': { id: { names: 'event' }, headers: { names: 'event' }, payload: { names: 'event' } },
};

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  allOf?: Schema[];
}

interface Parameter {
  name?: string;
  in?: string;
  $ref?: string;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; parameters?: Record<string, Parameter> };
}

function resolve<T extends { $ref?: string; allOf?: Schema[] }>(node: T | undefined, document: OpenApi): T | Schema {
  if (!node) return {};
  if (node.$ref) {
    const [, , kind, name] = node.$ref.split('/');
    const target = kind === 'parameters' ? document.components.parameters?.[name] : document.components.schemas[name];
    return resolve(target as T, document);
  }
  if (node.allOf?.length === 1) return resolve(node.allOf[0], document);
  return node;
}

/** The paths of a body's fields: `name`, `quotas.max_endpoints`, `events[].id`. */
function fieldPaths(schema: Schema, document: OpenApi, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, raw]) => {
    const field = resolve(raw, document) as Schema;
    const path = `${prefix}${name}`;
    const items = field.type === 'array' ? resolve(field.items, document) as Schema : undefined;
    if (items?.properties) return [path, ...fieldPaths(items, document, `${path}[].`)];
    if (field.properties) return [path, ...fieldPaths(field, document, `${path}.`)];
    return [path];
  });
}

/** What a field or parameter names: a route's own meaning first, then its name, then its last segment. */
function classify(route: string, name: string): Omit<IdSlot, 'route' | 'where' | 'name'> | 'shared' | null | undefined {
  const own = BODY_IDS[route]?.[name];
  if (own) return own;
  const last = name.replace(/^.*\[\]\./, '');
  const named = name in NAMES ? NAMES[name] : NAMES[last];
  if (named === undefined || named === null || named === 'shared') return named;
  return { names: named };
}

/** Every id slot of every route under /v1/, and every parameter or field nobody said the meaning of. */
export function idSlots(document: OpenApi): { slots: IdSlot[]; unknown: string[] } {
  const slots: IdSlot[] = [];
  const unknown: string[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    if (!template.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(item)) {
      const route = `${method.toUpperCase()} ${template}`;
      for (const raw of operation.parameters ?? []) {
        const parameter = resolve(raw, document) as Parameter;
        const where = parameter.in as IdSlot['where'];
        const meaning = where === 'path'
          ? pathMeaning(template, parameter.name!)
          : classify(route, parameter.name!);
        if (meaning === undefined) unknown.push(`${route}: ${where} parameter ${parameter.name}`);
        else if (meaning !== null && meaning !== 'shared') slots.push({ route, where, name: parameter.name!, ...meaning });
      }
      const body = resolve(operation.requestBody?.content['application/json']?.schema, document) as Schema;
      for (const name of fieldPaths(body, document)) {
        const meaning = classify(route, name);
        if (meaning === undefined) unknown.push(`${route}: body field ${name}`);
        else if (meaning !== null && meaning !== 'shared') slots.push({ route, where: 'body', name, ...meaning });
      }
    }
  }
  return { slots, unknown };
}

function pathMeaning(template: string, name: string): Omit<IdSlot, 'route' | 'where' | 'name'> | 'shared' | undefined {
  const collection = Object.keys(COLLECTIONS).find((prefix) => template.startsWith(prefix) && template.slice(prefix.length).startsWith(`{${name}}`));
  const owned = collection ? COLLECTIONS[collection] : undefined;
  return owned === undefined || owned === 'shared' ? owned : { names: owned };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A well-formed id of the same shape that names nothing: the last six letters and digits turned
 * to their neighbours in the same alphabet, so any format check the id passes, the twin passes too.
 */
export function twinOf(id: string): string {
  const characters = [...id];
  for (let i = characters.length - 1, changed = 0; i >= 0 && changed < 6; i--) {
    const alphabet = CROCKFORD.includes(characters[i]) ? CROCKFORD : LOWER.includes(characters[i]) ? LOWER : undefined;
    if (!alphabet) continue;
    characters[i] = alphabet[(alphabet.indexOf(characters[i]) + 1) % alphabet.length];
    changed++;
  }
  return characters.join('');
}
