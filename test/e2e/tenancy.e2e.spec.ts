import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { TestSystem, WebhookReceiver } from '@hookledger/testing';
import { eventually } from './eventually';
import { IdSlot, idSlots, OpenApi, Owned, twinOf } from './id-slots';

type Role = 'admin' | 'publisher' | 'reader' | 'auditor' | 'portal';

/** What each route allows, written from the issue rather than read from the code: the walk below holds the code to it. */
const ROUTES: Record<string, { roles: Role[]; acrossTenants?: boolean }> = {
  'POST /v1/event-types': { roles: ['admin'], acrossTenants: true },
  'GET /v1/event-types': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/event-types/{name}': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'PATCH /v1/event-types/{name}': { roles: ['admin'], acrossTenants: true },
  'DELETE /v1/event-types/{name}': { roles: ['admin'], acrossTenants: true },
  'POST /v1/endpoints': { roles: ['admin', 'portal'] },
  'GET /v1/endpoints': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/endpoints/{id}': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'PATCH /v1/endpoints/{id}': { roles: ['admin', 'portal'] },
  'DELETE /v1/endpoints/{id}': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/disable': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/enable': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/pause': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/resume': { roles: ['admin', 'portal'] },
  'GET /v1/endpoints/{id}/health': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/endpoints/{id}/health/series': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/endpoints/{id}/secret': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/secret/rotate': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/test': { roles: ['admin', 'portal'] },
  'POST /v1/endpoints/{id}/replay': { roles: ['admin', 'portal'] },
  'POST /v1/events': { roles: ['admin', 'publisher'] },
  'POST /v1/events/batch': { roles: ['admin', 'publisher'] },
  'GET /v1/events': { roles: ['admin', 'reader', 'auditor'] },
  'GET /v1/events/{id}': { roles: ['admin', 'reader', 'auditor'] },
  'GET /v1/deliveries': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/deliveries/{id}': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/deliveries/{id}/attempts': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'POST /v1/deliveries/{id}/retry': { roles: ['admin', 'portal'] },
  'GET /v1/replays': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/replays/{id}': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'POST /v1/webhooks/verify': { roles: ['admin', 'publisher', 'reader', 'auditor', 'portal'] },
  'POST /v1/webhooks/test': { roles: ['admin', 'portal'] },
  'POST /v1/tenants': { roles: ['admin'], acrossTenants: true },
  'GET /v1/tenants': { roles: ['admin', 'reader', 'auditor'], acrossTenants: true },
  'GET /v1/tenants/{id}': { roles: ['admin', 'reader', 'auditor'] },
  'PATCH /v1/tenants/{id}': { roles: ['admin'], acrossTenants: true },
  'DELETE /v1/tenants/{id}': { roles: ['admin'], acrossTenants: true },
  'POST /v1/tenants/{id}/erase': { roles: ['admin'], acrossTenants: true },
  'POST /v1/tenants/{id}/portal-token': { roles: ['admin'] },
  'POST /v1/tenants/{id}/portal-link': { roles: ['admin'] },
  // Who the calling key is: every key may ask, and sees only itself and its own tenant's branding.
  'GET /v1/portal/session': { roles: ['admin', 'publisher', 'reader', 'auditor', 'portal'] },
  'POST /v1/api-keys': { roles: ['admin'] },
  'GET /v1/api-keys': { roles: ['admin'] },
  'GET /v1/api-keys/{id}': { roles: ['admin'] },
  'DELETE /v1/api-keys/{id}': { roles: ['admin'] },
  'GET /v1/audit/events': { roles: ['admin', 'auditor'] },
  'GET /v1/audit/streams/{stream_id}': { roles: ['admin', 'auditor'] },
  'GET /v1/audit/export': { roles: ['admin', 'auditor'] },
  // Checkpoints and the public key reveal no tenant's data; verification reads every tenant's events.
  'GET /v1/audit/checkpoints': { roles: ['admin', 'auditor'] },
  'GET /v1/audit/checkpoints/latest': { roles: ['admin', 'auditor'] },
  'GET /v1/audit/checkpoints/{seq}': { roles: ['admin', 'auditor'] },
  'GET /v1/audit/public-key': { roles: ['admin', 'auditor'] },
  'GET /v1/audit/verify': { roles: ['admin', 'auditor'], acrossTenants: true },
  'GET /v1/audit/deliveries': { roles: ['admin', 'auditor'] },
  // Incoming webhooks are managed like endpoints; their ingest URL (/in/:source_id) takes no key at all.
  'POST /v1/sources': { roles: ['admin', 'portal'] },
  'GET /v1/sources': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'GET /v1/sources/{id}': { roles: ['admin', 'reader', 'auditor', 'portal'] },
  'PATCH /v1/sources/{id}': { roles: ['admin', 'portal'] },
  'DELETE /v1/sources/{id}': { roles: ['admin', 'portal'] },
  'POST /v1/sources/{id}/secret/rotate': { roles: ['admin', 'portal'] },
};

/** One tenant's resources, by the path parameter that names them. */
interface Resources {
  tenant: string;
  endpoint: string;
  endpointSecret: string;
  event: string;
  delivery: string;
  replay: string;
  apiKey: string;
  source: string;
  sourceSecret: string;
  /** A string only this tenant's data contains. */
  marker: string;
}

interface Key {
  readonly id: string;
  readonly value: string;
}

describe('tenants, API keys and roles', () => {
  let receiver: WebhookReceiver;
  let system: TestSystem;
  let db: Client;
  let routes: string[];
  let document: OpenApi;
  let acme: Resources;
  let globex: Resources;
  /** Keys of tenant acme by role, and keys across tenants by role. */
  const acmeKeys = {} as Record<Role, Key>;
  const globalKeys = {} as Record<Exclude<Role, 'portal'>, Key>;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // As behind a reverse proxy on this host: the client is who X-Forwarded-For names.
    system = await TestSystem.start({ env: { HOOKS_TRUST_PROXY: 'loopback' } });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
    expect((await system.request('POST', '/v1/event-types', { body: { name: 'order.created' } })).status).toBe(201);
    expect((await system.request('POST', '/v1/event-types', { body: { name: 'walk.renamed' } })).status).toBe(201);
    for (const id of ['acme', 'globex']) expect((await system.request('POST', '/v1/tenants', { body: { id, name: id } })).status).toBe(201);
    acme = await populate('acme');
    globex = await populate('globex');
    for (const role of ['admin', 'publisher', 'reader', 'auditor'] as const) {
      acmeKeys[role] = await createKey({ role, tenant_id: 'acme', name: `acme ${role}` });
      globalKeys[role] = await createKey({ role, name: `global ${role}` });
    }
    const portal = await system.request('POST', '/v1/tenants/acme/portal-token', { body: {} });
    expect(portal.status).toBe(201);
    acmeKeys.portal = { id: portal.body.id, value: portal.body.token };
    document = (await system.request('GET', '/openapi.json', { key: null })).body as OpenApi;
    routes = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .filter((route) => route.includes(' /v1/'));
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await receiver?.close();
  });

  async function createKey(body: Record<string, unknown>, key?: string): Promise<Key> {
    const answer = await system.request('POST', '/v1/api-keys', { body, key });
    expect(answer.status).toBe(201);
    return { id: answer.body.id, value: answer.body.key };
  }

  /** An endpoint, an event delivered to it, a replay and a key, all of one tenant. */
  async function populate(tenant: string): Promise<Resources> {
    const marker = `${tenant}-private-${Math.random().toString(36).slice(2)}`;
    const endpoint = await system.request('POST', '/v1/endpoints', {
      body: { url: receiver.url(`/${marker}`), tenant_id: tenant, description: marker, metadata: { marker } },
    });
    expect(endpoint.status).toBe(201);
    const published = await system.request('POST', '/v1/events', { body: { type: 'order.created', data: { marker }, tenant_id: tenant } });
    expect(published.status).toBe(202);
    const delivery = await eventually(async () => {
      const page = await system.request('GET', `/v1/deliveries?event_id=${published.body.id}&status=succeeded`);
      return page.body.data?.[0]?.id as string | undefined;
    }, `${tenant}'s delivery`);
    const replay = await system.request('POST', `/v1/endpoints/${endpoint.body.id}/replay`, { body: { since: '2020-01-01T00:00:00Z', status: 'all' } });
    expect(replay.status).toBe(202);
    // The replay re-sends the delivery: let it finish, so the walks below see a settled tenant.
    await eventually(async () => {
      const state = await system.request('GET', `/v1/replays/${replay.body.id}`);
      const delivered = await system.request('GET', `/v1/deliveries/${delivery}`);
      return state.body.state === 'completed' && delivered.body.attempts === 2 && delivered.body.status === 'succeeded' ? true : undefined;
    }, `${tenant}'s replay to complete`);
    const apiKey = await createKey({ role: 'reader', tenant_id: tenant, name: `spare ${tenant}` });
    const source = await system.request('POST', '/v1/sources', { body: { type: 'github', name: marker, tenant_id: tenant } });
    expect(source.status).toBe(201);
    return {
      tenant, endpoint: endpoint.body.id, endpointSecret: endpoint.body.secret, event: published.body.id, delivery, replay: replay.body.id, apiKey: apiKey.id,
      source: source.body.id, sourceSecret: source.body.secret, marker,
    };
  }

  /** The path of a route with its parameters naming `of`'s resources. */
  function pathFor(route: string, of: Resources): string {
    const path = route.slice(route.indexOf(' ') + 1);
    const id = path.startsWith('/v1/endpoints/') ? of.endpoint
      : path.startsWith('/v1/deliveries/') ? of.delivery
        : path.startsWith('/v1/events/') ? of.event
          : path.startsWith('/v1/replays/') ? of.replay
            : path.startsWith('/v1/tenants/') ? of.tenant
              : path.startsWith('/v1/api-keys/') ? of.apiKey
                : path.startsWith('/v1/sources/') ? of.source : undefined;
    return path.replace('{id}', id ?? '{id}').replace('{name}', 'walk.renamed').replace('{stream_id}', `endpoint-${of.endpoint}`);
  }

  /** A body each route would accept from a key allowed to call it. */
  function bodyFor(route: string, tenant?: string): unknown {
    const withTenant = (body: Record<string, unknown>) => (tenant ? { ...body, tenant_id: tenant } : body);
    switch (route) {
      case 'POST /v1/event-types': return { name: `walk.created.${Math.random().toString(36).slice(2, 8)}` };
      case 'PATCH /v1/event-types/{name}': return { description: 'renamed by the walk' };
      case 'POST /v1/endpoints': return withTenant({ url: receiver.url('/walk') });
      case 'PATCH /v1/endpoints/{id}': return { description: 'patched by the walk' };
      case 'POST /v1/endpoints/{id}/secret/rotate': return { grace_period_s: 0 };
      case 'POST /v1/endpoints/{id}/test': return { event_type: 'order.created' };
      case 'POST /v1/endpoints/{id}/replay': return { since: '2020-01-01T00:00:00Z' };
      case 'POST /v1/events': return withTenant({ type: 'order.created', data: { walk: true } });
      case 'POST /v1/events/batch': return { events: [withTenant({ type: 'order.created', data: { walk: true } })] };
      case 'POST /v1/webhooks/verify': return { payload: '{}', headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AAAA' }, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
      case 'POST /v1/webhooks/test': return { url: receiver.url('/walk-test') };
      case 'POST /v1/tenants': return { id: `walk-${Math.random().toString(36).slice(2, 8)}`, name: 'walk' };
      case 'PATCH /v1/tenants/{id}': return { name: 'renamed by the walk' };
      case 'POST /v1/tenants/{id}/portal-token': return {};
      case 'POST /v1/tenants/{id}/portal-link': return {};
      case 'POST /v1/api-keys': return withTenant({ role: 'reader', name: 'walk' });
      case 'POST /v1/sources': return withTenant({ type: 'github', name: 'walk' });
      case 'PATCH /v1/sources/{id}': return { name: 'patched by the walk' };
      case 'POST /v1/sources/{id}/secret/rotate': return { grace_period_s: 0 };
      default: return route.startsWith('POST') || route.startsWith('PATCH') ? {} : undefined;
    }
  }

  /** Everything of `of` an answer must never show, but the id the request itself named. */
  function secretsOf(of: Resources, named: string): string[] {
    return [of.marker, of.endpointSecret, of.endpoint, of.event, of.delivery, of.replay, of.apiKey, of.source, of.sourceSecret].filter((value) => !named.includes(value));
  }

  it('lists exactly the routes the matrix covers, so a new route cannot escape the walks', () => {
    expect([...routes].sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it("walks every route with each tenant-A key against tenant B's resources: 403 or 404, never B's data, and B unchanged", async () => {
    const before = await globexState();
    let requests = 0;
    const failures: string[] = [];
    for (const [role, key] of Object.entries(acmeKeys)) {
      for (const route of routes) {
        const method = route.slice(0, route.indexOf(' '));
        const path = pathFor(route, globex);
        const variants: [string, unknown][] = [];
        // The route's own path when it names a resource of B, else B named in the query or the body.
        if (/\{(id|stream_id)\}/.test(route)) variants.push([path, bodyFor(route)]);
        if (['GET /v1/endpoints', 'GET /v1/events', 'GET /v1/deliveries', 'GET /v1/api-keys', 'GET /v1/audit/export', 'GET /v1/audit/deliveries', 'GET /v1/sources'].includes(route)) {
          variants.push([`${path}?tenant_id=globex`, undefined]);
          if (['GET /v1/deliveries', 'GET /v1/replays', 'GET /v1/audit/deliveries', 'GET /v1/audit/export'].includes(route)) variants.push([`${path}?endpoint_id=${globex.endpoint}`, undefined]);
          if (route === 'GET /v1/deliveries') variants.push([`${path}?event_id=${globex.event}`, undefined]);
        }
        if (['POST /v1/endpoints', 'POST /v1/events', 'POST /v1/events/batch', 'POST /v1/api-keys', 'POST /v1/sources'].includes(route)) variants.push([path, bodyFor(route, 'globex')]);
        for (const [target, body] of variants) {
          requests++;
          const answer = await system.request(method, target, { body, key: key.value });
          const text = JSON.stringify(answer.body);
          const leaked = secretsOf(globex, target).filter((value) => text.includes(value));
          if (![403, 404].includes(answer.status) || leaked.length > 0 || !answer.headers.get('content-type')?.includes('problem+json')) {
            failures.push(`${role} ${method} ${target}: ${answer.status} ${text.slice(0, 200)}${leaked.length ? ` leaked ${leaked.join(', ')}` : ''}`);
          }
        }
      }
      // Unfiltered lists answer, and show only the key's own tenant.
      for (const list of ['/v1/endpoints', '/v1/events', '/v1/deliveries', '/v1/replays', '/v1/api-keys', '/v1/audit/events?limit=250', '/v1/audit/deliveries?limit=250', '/v1/sources?limit=250']) {
        const answer = await system.request('GET', list, { key: key.value });
        requests++;
        if (answer.status === 403) continue;
        const text = JSON.stringify(answer.body);
        const leaked = secretsOf(globex, '').filter((value) => text.includes(value));
        if (answer.status !== 200 || leaked.length > 0) failures.push(`${role} GET ${list}: ${answer.status}${leaked.length ? ` leaked ${leaked.join(', ')}` : ''}`);
      }
    }
    console.info(`cross-tenant walk: ${requests} requests with ${Object.keys(acmeKeys).length} keys of tenant acme over ${routes.length} routes against globex's resources`);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(190);
    expect(await globexState()).toEqual(before);
    // B's own key still sees B's endpoint.
    const spare = await createKey({ role: 'reader', tenant_id: 'globex' });
    expect((await system.request('GET', `/v1/endpoints/${globex.endpoint}`, { key: spare.value })).body).toMatchObject({ id: globex.endpoint, tenant_id: 'globex', active: true });
  });

  it('knows what every parameter and body field of every route names, so a new id cannot escape the oracle walk', () => {
    expect(idSlots(document).unknown).toEqual([]);
  });

  /** A signature no secret makes, so /verify goes on to look the named message up. */
  const WRONG_SIGNATURE = { standard: `v1,${Buffer.alloc(32).toString('base64')}`, github: `sha256=${'0'.repeat(64)}` };
  const VERIFY_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  /** The body of a POST /v1/webhooks/verify that names message `id` the way `slot` says, with a guessed body. */
  function verifyNaming(slot: IdSlot, id: string, via: 'webhook-id' | 'x-github-delivery'): unknown {
    const now = String(Math.floor(Date.now() / 1000));
    const guess = JSON.stringify({ guess: 'a' });
    switch (slot.name) {
      case 'id': return { payload: guess, id, timestamp: now, signature: WRONG_SIGNATURE.standard, secret: VERIFY_SECRET };
      case 'payload': return { payload: JSON.stringify({ id, guess: 'a' }), signature: WRONG_SIGNATURE.github, secret: VERIFY_SECRET, signature_profile: 'github' };
      case 'headers': return via === 'webhook-id'
        ? { payload: guess, headers: { 'webhook-id': id, 'webhook-timestamp': now, 'webhook-signature': WRONG_SIGNATURE.standard }, secret: VERIFY_SECRET }
        : { payload: guess, headers: { 'x-github-delivery': id, 'x-hub-signature-256': WRONG_SIGNATURE.github }, secret: VERIFY_SECRET, signature_profile: 'github' };
      default: throw new Error(`the oracle walk does not know how to name a message through ${slot.name} of ${slot.route}`);
    }
  }

  /** `body` with the field at `path` (`tenant_id`, `quotas.max_endpoints`, `events[].id`: the first item's) set to `value`. */
  function withField(body: unknown, path: string, value: string): unknown {
    const copy = structuredClone(body ?? {}) as Record<string, unknown>;
    const segments = path.split('.');
    let node = copy;
    for (const segment of segments.slice(0, -1)) {
      const next = segment.endsWith('[]') ? (node[segment.slice(0, -2)] as unknown[])[0] : (node[segment] ??= {});
      node = next as Record<string, unknown>;
    }
    node[segments[segments.length - 1]] = value;
    return copy;
  }

  it("answers tenant acme's keys naming globex's ids exactly as it answers ids that do not exist, on every id slot of every route", async () => {
    const own = await populate('acme');
    const { slots } = idSlots(document);
    // What globex owns by kind; an event's own id is fresh for each try (publishing it makes it exist).
    const idempotencyKey = `walk-${Math.random().toString(36).slice(2)}`;
    const keyed = await system.request('POST', '/v1/events', { body: { type: 'order.created', data: {}, tenant_id: 'globex' }, headers: { 'idempotency-key': idempotencyKey } });
    expect(keyed.status).toBe(202);
    const victims: Record<Owned, string> = {
      tenant: 'globex', endpoint: globex.endpoint, event: globex.event, delivery: globex.delivery, replay: globex.replay, apiKey: globex.apiKey,
      stream: `endpoint-${globex.endpoint}`, actor: `api-key:${globex.apiKey}`, idempotencyKey, source: globex.source,
    };
    const freshIds: string[] = [];
    for (let n = 0; n < slots.filter((slot) => slot.creates).length * Object.keys(acmeKeys).length; n++) {
      const id = `order-${Math.random().toString(36).slice(2, 10)}`;
      expect((await system.request('POST', '/v1/events', { body: { id, type: 'order.created', data: {}, tenant_id: 'globex' } })).status).toBe(202);
      freshIds.push(id);
    }
    await eventually(async () => {
      const { rows } = await db.query(
        `SELECT (SELECT count(*)::int FROM messages WHERE tenant_id = 'globex' AND id = ANY($1)) AS stored,
                (SELECT count(*)::int FROM deliveries WHERE tenant_id = 'globex' AND message_id = ANY($1) AND status = 'pending') AS unsent`,
        [[...freshIds, keyed.body.id]]);
      return rows[0].stored === freshIds.length + 1 && rows[0].unsent === 0 ? true : undefined;
    }, "globex's events to be stored and sent");
    const before = await globexState();
    const leaks = [...secretsOf(globex, ''), keyed.body.id as string];

    const failures: string[] = [];
    let requests = 0;
    const send = async (slot: IdSlot, id: string, key: Key, via: 'webhook-id' | 'x-github-delivery') => {
      const method = slot.route.slice(0, slot.route.indexOf(' '));
      const template = slot.route.slice(slot.route.indexOf(' ') + 1);
      let path = pathFor(`${method} ${slot.where === 'path' ? template.replace(`{${slot.name}}`, id) : template}`, own);
      let body = bodyFor(slot.route);
      const headers: Record<string, string> = {};
      if (slot.where === 'query') path += `?${slot.name}=${encodeURIComponent(id)}`;
      if (slot.where === 'header') headers[slot.name.toLowerCase()] = id;
      if (slot.where === 'body') body = slot.route === 'POST /v1/webhooks/verify' ? verifyNaming(slot, id, via) : withField(body, slot.name, id);
      requests++;
      const answer = await system.request(method, path, { body, key: key.value, headers });
      const text = JSON.stringify(answer.body) ?? '';
      return { answer, text, request: `${method} ${path} ${JSON.stringify(body) ?? ''}` };
    };
    // The same answer but for the id itself; times and, for requests that create, what is generated each time.
    const normalised = (text: string, id: string, loosely: boolean) => {
      const plain = text.split(id).join('{id}').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '{time}');
      return loosely ? plain.replace(/"[^"]*"/g, (value) => (/^"[a-z_]+"$/.test(value) ? value : '"…"')).replace(/\d+(\.\d+)?/g, 'n') : plain;
    };

    for (const slot of slots) {
      for (const via of slot.name === 'headers' ? ['webhook-id', 'x-github-delivery'] as const : ['webhook-id'] as const) {
        for (const [role, key] of Object.entries(acmeKeys)) {
          const victim = slot.creates ? freshIds.pop()! : victims[slot.names];
          const unknown = slot.creates ? `order-${Math.random().toString(36).slice(2, 10)}` : twinOf(victim);
          const theirs = await send(slot, victim, key, via);
          const nobodys = await send(slot, unknown, key, via);
          const what = `${role} ${slot.route} ${slot.where} ${slot.name}${slot.name === 'headers' ? ` (${via})` : ''}`;
          // Idempotency keys make new things each time: the answers must agree in all but generated values.
          const loosely = slot.names === 'idempotencyKey';
          const same = theirs.answer.status === nobodys.answer.status
            && theirs.answer.headers.get('content-type') === nobodys.answer.headers.get('content-type')
            && normalised(theirs.text, victim, loosely) === normalised(nobodys.text, unknown, loosely);
          if (!same) {
            failures.push(`${what}: globex's ${victim} → ${theirs.answer.status} ${theirs.text.slice(0, 240)} ≠ unknown ${unknown} → ${nobodys.answer.status} ${nobodys.text.slice(0, 240)}`);
          }
          const leaked = leaks.filter((value) => theirs.text.includes(value) && !theirs.request.includes(value));
          if (leaked.length > 0) failures.push(`${what}: leaked ${leaked.join(', ')}`);
          // An event id globex took is still free for acme: acme's event is stored, not dropped as a duplicate.
          if (slot.creates && theirs.answer.status < 300) {
            const stored = await eventually(async () => {
              const read = await system.request('GET', `/v1/events/${encodeURIComponent(victim)}`, { key: acmeKeys.reader.value });
              return read.status === 200 ? read.body : undefined;
            }, `acme's event ${victim}`, 10_000).catch(() => undefined);
            if (stored?.tenant_id !== 'acme') failures.push(`${what}: acme's event ${victim} answered ${theirs.answer.status} but was not stored (globex has that id)`);
          }
        }
      }
    }
    console.info(`oracle walk: ${requests} requests, ${slots.length} id slots (${[...new Set(slots.map((slot) => slot.route))].length} routes) × ${Object.keys(acmeKeys).length} keys of acme, globex's id against an unknown one; slots by kind ${JSON.stringify(slots.reduce<Record<string, number>>((n, slot) => ({ ...n, [slot.names]: (n[slot.names] ?? 0) + 1 }), {}))}`);
    expect(failures).toEqual([]);
    expect(await globexState()).toEqual(before);
  });

  /** Every row and ledger event of tenant globex, to show the walk changed nothing of it. */
  async function globexState(): Promise<unknown> {
    const { rows } = await db.query(`
      SELECT (SELECT json_agg(e ORDER BY id) FROM endpoints e WHERE tenant_id = 'globex') AS endpoints,
             (SELECT count(*) FROM messages WHERE tenant_id = 'globex') AS messages,
             (SELECT json_agg(d ORDER BY id) FROM deliveries d WHERE tenant_id = 'globex') AS deliveries,
             (SELECT count(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.tenant_id = 'globex') AS attempts,
             (SELECT json_agg(k ORDER BY id) FROM (SELECT id, revoked_at FROM api_keys WHERE tenant_id = 'globex') k) AS keys,
             (SELECT json_agg(t) FROM tenants t WHERE id = 'globex') AS tenant,
             (SELECT json_agg(s ORDER BY id) FROM sources s WHERE tenant_id = 'globex') AS sources,
             (SELECT count(*) FROM events WHERE metadata->>'tenant_id' = 'globex') AS ledger`);
    return rows[0];
  }

  it('walks every route with every role, on its own tenant and across tenants: 403 exactly where the role may not', async () => {
    const spareKey = await createKey({ role: 'reader', tenant_id: 'acme', name: 'to be revoked by the walk' });
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'spare', name: 'to be deleted by the walk' } })).status).toBe(201);
    const principals: [string, Role, boolean, Key][] = [
      ...Object.entries(acmeKeys).map(([role, key]): [string, Role, boolean, Key] => [`acme ${role}`, role as Role, false, key]),
      ...Object.entries(globalKeys).map(([role, key]): [string, Role, boolean, Key] => [`global ${role}`, role as Role, true, key]),
    ];
    const failures: string[] = [];
    let requests = 0;
    for (const route of routes) {
      const rule = ROUTES[route];
      for (const [who, role, acrossTenants, key] of principals) {
        const method = route.slice(0, route.indexOf(' '));
        let path = pathFor(route, { ...acme, apiKey: spareKey.id });
        // Destructive for the whole tenant: done to the spare one (an erasure after its deletion is allowed).
        if (route === 'DELETE /v1/tenants/{id}') path = '/v1/tenants/spare';
        if (route === 'POST /v1/tenants/{id}/erase') path = '/v1/tenants/spare/erase';
        const answer = await system.request(method, path, { body: bodyFor(route), key: key.value });
        requests++;
        const allowed = rule.roles.includes(role) && (!rule.acrossTenants || acrossTenants);
        if (allowed ? [401, 403].includes(answer.status) || answer.status >= 500 : answer.status !== 403) {
          failures.push(`${who} ${method} ${path}: ${answer.status}, expected ${allowed ? 'an answer, neither 401/403 nor 5xx' : '403'}: ${JSON.stringify(answer.body).slice(0, 160)}`);
        }
        if (!allowed && !String(answer.body?.detail).includes('role') && !String(answer.body?.detail).includes('tenant')) failures.push(`${who} ${method} ${path}: 403 without a reason`);
      }
    }
    console.info(`role walk: ${requests} requests, ${routes.length} routes × ${principals.length} keys (5 roles bound to a tenant, 4 across tenants)`);
    expect(failures).toEqual([]);
    expect(requests).toBe(routes.length * principals.length);
  });

  it('shows a new key once, lists keys without their value, and stores only its SHA-256 digest', async () => {
    const key = await createKey({ role: 'publisher', tenant_id: 'acme', name: 'billing' });
    expect(key.value).toMatch(/^hl_[A-Za-z0-9_-]{43}$/);
    const listed = await system.request('GET', '/v1/api-keys?tenant_id=acme&limit=250');
    expect(listed.body.data.find((item: { id: string }) => item.id === key.id)).toMatchObject({ role: 'publisher', tenant_id: 'acme', prefix: key.value.slice(0, 9), revoked_at: null });
    expect(JSON.stringify(listed.body)).not.toContain(key.value);
    expect(JSON.stringify((await system.request('GET', `/v1/api-keys/${key.id}`)).body)).not.toContain(key.value);
    // The digest is sealed key material in its own table; neither the key's row nor its events hold the key.
    const { rows } = await db.query(
      `SELECT d.digest, to_jsonb(k)::text AS everything, (SELECT string_agg(e.data::text, '') FROM events e WHERE e.stream_id = 'api-key-' || k.id) AS events
         FROM api_keys k JOIN api_key_digests d ON d.key_id = k.id WHERE k.id = $1`, [key.id]);
    expect(rows[0].digest).toEqual(createHash('sha256').update(key.value).digest());
    expect(rows[0].everything).not.toContain(key.value.slice(9));
    expect(rows[0].events).not.toContain(key.value.slice(9));
  });

  it('revokes a key: the next request with it is refused, and the key stays listed as revoked', async () => {
    const key = await createKey({ role: 'reader', tenant_id: 'acme' });
    expect((await system.request('GET', '/v1/endpoints', { key: key.value })).status).toBe(200);
    expect((await system.request('DELETE', `/v1/api-keys/${key.id}`, { key: acmeKeys.admin.value })).status).toBe(204);
    const refused = await system.request('GET', '/v1/endpoints', { key: key.value });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain('not valid');
    expect((await system.request('GET', `/v1/api-keys/${key.id}`)).body.revoked_at).not.toBeNull();
    expect((await system.request('DELETE', `/v1/api-keys/${key.id}`)).status).toBe(204);
  });

  it('lets a tenant admin make keys for its own tenant only, never one across tenants', async () => {
    const own = await system.request('POST', '/v1/api-keys', { body: { role: 'reader' }, key: acmeKeys.admin.value });
    expect(own.status).toBe(201);
    expect(own.body.tenant_id).toBe('acme');
    const other = await system.request('POST', '/v1/api-keys', { body: { role: 'reader', tenant_id: 'globex' }, key: acmeKeys.admin.value });
    expect(other.status).toBe(403);
    expect(other.body.detail).toContain('cannot act for tenant globex');
    const portal = await system.request('POST', '/v1/api-keys', { body: { role: 'portal', tenant_id: 'acme' } });
    expect(portal.status).toBe(400);
    expect((await system.request('POST', '/v1/api-keys', { body: { role: 'reader', tenant_id: 'nobody' } })).status).toBe(422);
  });

  it('lets the bootstrap admin work across tenants, naming one with tenant_id, and puts the rest in the default tenant', async () => {
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/default-tenant') } });
    expect(endpoint.body.tenant_id).toBe('default');
    const named = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/named'), tenant_id: 'globex' } });
    expect(named.body.tenant_id).toBe('globex');
    const listed = await system.request('GET', '/v1/endpoints?tenant_id=globex&limit=250');
    expect(listed.body.data.map((item: { id: string }) => item.id)).toContain(named.body.id);
    expect(listed.body.data.every((item: { tenant_id: string }) => item.tenant_id === 'globex')).toBe(true);
    const unknown = await system.request('POST', '/v1/events', { body: { type: 'order.created', data: {}, tenant_id: 'nobody' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain('Tenant nobody does not exist');
    expect((await system.request('DELETE', `/v1/endpoints/${named.body.id}`)).status).toBe(204);
  });

  it("gives a portal token its tenant's endpoints and deliveries for an hour, and nothing else", async () => {
    const issued = await system.request('POST', '/v1/tenants/acme/portal-token', { body: {}, key: acmeKeys.admin.value });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^hlp_/);
    const lifetime = Date.parse(issued.body.expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    const token = issued.body.token as string;
    const endpoints = await system.request('GET', '/v1/endpoints?limit=250', { key: token });
    expect(endpoints.status).toBe(200);
    expect(endpoints.body.data.length).toBeGreaterThan(0);
    expect(endpoints.body.data.every((item: { tenant_id: string }) => item.tenant_id === 'acme')).toBe(true);
    expect((await system.request('GET', `/v1/deliveries/${acme.delivery}/attempts`, { key: token })).status).toBe(200);
    expect((await system.request('GET', `/v1/deliveries/${globex.delivery}`, { key: token })).status).toBe(404);
    expect((await system.request('GET', '/v1/events', { key: token })).status).toBe(403);
    expect((await system.request('POST', '/v1/events', { key: token, body: { type: 'order.created', data: {} } })).status).toBe(403);
    expect((await system.request('GET', '/v1/api-keys', { key: token })).status).toBe(403);
    expect((await system.request('POST', '/v1/tenants/globex/portal-token', { body: {}, key: acmeKeys.admin.value })).status).toBe(404);
    // Portal tokens are not API keys to manage: they are not listed.
    const keys = await system.request('GET', '/v1/api-keys?limit=250');
    expect(keys.body.data.map((item: { id: string }) => item.id)).not.toContain(issued.body.id);
    // Past its expiry it is refused.
    await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [issued.body.id]);
    expect((await system.request('GET', '/v1/endpoints', { key: token })).status).toBe(401);
    expect((await system.request('POST', '/v1/tenants/acme/portal-token', { body: { expires_in_s: 30 } })).status).toBe(400);
  });

  it('deletes a tenant with its endpoints and keys, keeps its history, and refuses to delete the default tenant', async () => {
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'leaving', name: 'Leaving Ltd' } })).status).toBe(201);
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/leaving'), tenant_id: 'leaving' } });
    const key = await createKey({ role: 'admin', tenant_id: 'leaving' });
    expect((await system.request('DELETE', '/v1/tenants/leaving')).status).toBe(204);
    expect((await system.request('GET', '/v1/tenants/leaving')).status).toBe(404);
    expect((await system.request('GET', `/v1/endpoints/${endpoint.body.id}`)).status).toBe(404);
    expect((await system.request('GET', '/v1/endpoints', { key: key.value })).status).toBe(401);
    const publish = await system.request('POST', '/v1/events', { body: { type: 'order.created', data: {}, tenant_id: 'leaving' } });
    expect(publish.status).toBe(422);
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'leaving', name: 'again' } })).status).toBe(409);
    const history = await system.request('GET', '/v1/audit/events?stream_id=tenant-leaving');
    expect(history.body.data.map((event: { type: string }) => event.type)).toEqual(['TenantDeleted', 'TenantCreated']);
    const refused = await system.request('DELETE', '/v1/tenants/default');
    expect(refused.status).toBe(409);
  });

  it('enforces per-tenant quotas: 403 past max_endpoints, 429 with Retry-After past max_events_per_month, both visible on the tenant', async () => {
    const created = await system.request('POST', '/v1/tenants', { body: { id: 'small', name: 'Small Co', quotas: { max_endpoints: 2, max_events_per_month: 10 } } });
    expect(created.body).toMatchObject({ quotas: { max_endpoints: 2, max_events_per_month: 10 }, usage: { endpoints: 0, events_this_month: 0 } });
    for (const n of [1, 2]) expect((await system.request('POST', '/v1/endpoints', { body: { url: receiver.url(`/small/${n}`), tenant_id: 'small' } })).status).toBe(201);
    const third = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/small/3'), tenant_id: 'small' } });
    expect(third.status).toBe(403);
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect(third.body).toMatchObject({ quota: 'max_endpoints', limit: 2, used: 2 });
    expect(third.body.detail).toContain('max_endpoints 2');

    const batch = await system.request('POST', '/v1/events/batch', { body: { events: Array.from({ length: 4 }, (_, n) => ({ type: 'order.created', data: { n }, tenant_id: 'small' })) } });
    expect(batch.status).toBe(202);
    // Concurrent publishers cannot both take the last of the quota: 10 at once for the 6 left.
    const racing = await Promise.all(Array.from({ length: 10 }, (_, n) => system.request('POST', '/v1/events', { body: { type: 'order.created', data: { n }, tenant_id: 'small' } })));
    expect(racing.filter((answer) => answer.status === 202)).toHaveLength(6);
    const refused = racing.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(4);
    for (const answer of refused) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.body).toMatchObject({ quota: 'max_events_per_month', limit: 10, used: 10 });
      expect(answer.body.detail).toContain('max_events_per_month');
    }
    // A batch past the quota is refused whole.
    expect((await system.request('POST', '/v1/events/batch', { body: { events: [{ type: 'order.created', data: {}, tenant_id: 'small' }] } })).status).toBe(429);
    const tenant = await system.request('GET', '/v1/tenants/small');
    expect(tenant.body).toMatchObject({ quotas: { max_endpoints: 2, max_events_per_month: 10 }, usage: { endpoints: 2, events_this_month: 10 } });
    const listed = (await system.request('GET', '/v1/tenants?limit=250')).body.data.find((item: { id: string }) => item.id === 'small');
    expect(listed).toEqual(tenant.body);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM messages WHERE tenant_id = 'small'`);
      return rows[0].n === 10 ? true : undefined;
    }, 'the 10 accepted events to be stored');
    // Tenants without a quota are counted too (written a second later, shown at once).
    const counted = (await system.request('GET', '/v1/tenants/globex')).body.usage.events_this_month as number;
    expect((await system.request('POST', '/v1/events/batch', { body: { events: [{ type: 'order.created', data: {}, tenant_id: 'globex' }, { type: 'order.created', data: {}, tenant_id: 'globex' }] } })).status).toBe(202);
    expect((await system.request('GET', '/v1/tenants/globex')).body.usage.events_this_month).toBe(counted + 2);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT events::int AS n FROM tenant_usage WHERE tenant_id = 'globex'`);
      return rows[0]?.n === counted + 2 ? true : undefined;
    }, "globex's count to be written");
    // Raising the quota lets publishing go on.
    expect((await system.request('PATCH', '/v1/tenants/small', { body: { quotas: { max_events_per_month: 11 } } })).body.quotas.max_events_per_month).toBe(11);
    expect((await system.request('POST', '/v1/events', { body: { type: 'order.created', data: {}, tenant_id: 'small' } })).status).toBe(202);
  });

  it("throttles each key to its rate_limit_per_s with 429 and Retry-After, leaving other keys alone", async () => {
    const slow = await createKey({ role: 'reader', tenant_id: 'acme', rate_limit_per_s: 5 });
    const started = Date.now();
    const answers = [];
    for (let n = 0; n < 12; n++) answers.push(await system.request('GET', n % 2 ? '/v1/endpoints' : '/v1/deliveries', { key: slow.value }));
    const elapsed = Date.now() - started;
    const ok = answers.filter((answer) => answer.status === 200).length;
    const throttled = answers.filter((answer) => answer.status === 429);
    // One budget across routes: 5 in a one-second window (at most two windows if this machine was slow).
    if (elapsed < 1000) expect(ok).toBe(5);
    else expect(ok).toBeLessThanOrEqual(10);
    expect(throttled.length).toBe(12 - ok);
    for (const answer of throttled) {
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.body.detail).toContain('5 requests per second');
    }
    expect((await system.request('GET', '/v1/endpoints', { key: acmeKeys.reader.value })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100 * Number(throttled[0].headers.get('retry-after'))));
    expect((await system.request('GET', '/v1/endpoints', { key: slow.value })).status).toBe(200);
  });

  it("records every change to endpoints, keys and tenants in the ledger with the acting key's id", async () => {
    const admin = acmeKeys.admin;
    const endpoint = await system.request('POST', '/v1/endpoints', { body: { url: receiver.url('/audited') }, key: admin.value });
    expect((await system.request('PATCH', `/v1/endpoints/${endpoint.body.id}`, { body: { description: 'audited' }, key: admin.value })).status).toBe(200);
    expect((await system.request('POST', `/v1/endpoints/${endpoint.body.id}/secret/rotate`, { body: {}, key: admin.value })).status).toBe(200);
    expect((await system.request('POST', `/v1/endpoints/${endpoint.body.id}/disable`, { body: {}, key: admin.value })).status).toBe(200);
    expect((await system.request('DELETE', `/v1/endpoints/${endpoint.body.id}`, { key: admin.value })).status).toBe(204);
    const key = await createKey({ role: 'reader', name: 'audited' }, admin.value);
    expect((await system.request('DELETE', `/v1/api-keys/${key.id}`, { key: admin.value })).status).toBe(204);
    const operator = globalKeys.admin;
    expect((await system.request('POST', '/v1/tenants', { body: { id: 'audited', name: 'Audited' }, key: operator.value })).status).toBe(201);
    expect((await system.request('PATCH', '/v1/tenants/audited', { body: { quotas: { max_endpoints: 5 } }, key: operator.value })).status).toBe(200);
    expect((await system.request('DELETE', '/v1/tenants/audited', { key: operator.value })).status).toBe(204);

    const trail = async (stream: string, auditor: Key) => {
      const answer = await system.request('GET', `/v1/audit/events?stream_id=${stream}`, { key: auditor.value });
      expect(answer.status).toBe(200);
      return (answer.body.data as { type: string; metadata: Record<string, string> }[]).reverse().map((event) => [event.type, event.metadata.actor, event.metadata.tenant_id]);
    };
    const byAdmin = `api-key:${admin.id}`;
    expect(await trail(`endpoint-${endpoint.body.id}`, acmeKeys.auditor)).toEqual([
      ['EndpointCreated', byAdmin, 'acme'], ['EndpointUpdated', byAdmin, 'acme'], ['EndpointSecretRotated', byAdmin, 'acme'],
      ['EndpointDisabled', byAdmin, 'acme'], ['EndpointDeleted', byAdmin, 'acme'],
    ]);
    expect(await trail(`api-key-${key.id}`, acmeKeys.auditor)).toEqual([['ApiKeyCreated', byAdmin, 'acme'], ['ApiKeyRevoked', byAdmin, 'acme']]);
    const byOperator = `api-key:${operator.id}`;
    expect(await trail('tenant-audited', globalKeys.auditor)).toEqual([
      ['TenantCreated', byOperator, 'audited'], ['TenantUpdated', byOperator, 'audited'], ['TenantDeleted', byOperator, 'audited'],
    ]);
    // A tenant's auditor sees its own tenant's changes only.
    expect(await trail('tenant-audited', acmeKeys.auditor)).toEqual([]);
    const mine = await system.request('GET', '/v1/audit/events?limit=250', { key: acmeKeys.auditor.value });
    expect(mine.body.data.length).toBeGreaterThan(0);
    expect(mine.body.data.every((event: { metadata: { tenant_id?: string } }) => event.metadata.tenant_id === 'acme')).toBe(true);
    // Each stream's chain can be checked; a tenant's auditor checks its own streams only.
    const verified = await system.request('GET', `/v1/audit/streams/endpoint-${endpoint.body.id}`, { key: acmeKeys.auditor.value });
    expect(verified.body).toMatchObject({ stream_id: `endpoint-${endpoint.body.id}`, type: 'endpoint', version: 5, intact: true, first_broken_version: null });
    expect((await system.request('GET', `/v1/audit/streams/endpoint-${globex.endpoint}`, { key: acmeKeys.auditor.value })).status).toBe(404);
    expect((await system.request('GET', '/v1/audit/streams/tenant-audited', { key: globalKeys.auditor.value })).body.intact).toBe(true);
    // Rewriting history behind the append-only trigger's back (only the owner can: the apps' role may not touch it) is caught.
    const owner = new Client({ connectionString: system.database.ownerUrl });
    await owner.connect();
    try {
      await owner.query(`ALTER TABLE events DISABLE TRIGGER events_append_only`);
      await owner.query(`UPDATE events SET data = jsonb_set(data, '{changes,max_endpoints}', '500') WHERE stream_id = 'tenant-audited' AND stream_version = 2`);
      await owner.query(`ALTER TABLE events ENABLE TRIGGER events_append_only`);
    } finally {
      await owner.end();
    }
    expect((await system.request('GET', '/v1/audit/streams/tenant-audited', { key: globalKeys.auditor.value })).body).toMatchObject({ intact: false, first_broken_version: 2 });
    // The ledger never holds a key's value.
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM events WHERE data::text LIKE $1 OR metadata::text LIKE $1`, [`%${key.value.slice(3)}%`]);
    expect(rows[0].n).toBe(0);
  });

  // Last: it leaves an address refused for wrong keys for a minute.
  it('answers 429 to a client that keeps sending wrong keys, while valid keys from it and other clients keep working', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const statuses: number[] = [];
    for (let n = 0; n < 101; n++) statuses.push((await system.request('GET', '/v1/endpoints', { key: `hl_wrong${n}`, headers: from('203.0.113.5') })).status);
    expect(statuses.slice(0, 100).every((status) => status === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
    const refused = await system.request('GET', '/v1/endpoints', { key: null, headers: from('203.0.113.5') });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toContain('without a valid API key');
    // A valid key from the same client still works; another client behind the same proxy is not refused.
    expect((await system.request('GET', '/v1/endpoints', { key: acmeKeys.reader.value, headers: from('203.0.113.5') })).status).toBe(200);
    expect((await system.request('GET', '/v1/endpoints', { key: 'hl_wrong', headers: from('203.0.113.6') })).status).toBe(401);
  });
});
