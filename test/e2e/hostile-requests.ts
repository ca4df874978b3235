/**
 * Generates the hostile-input campaign from the running system's OpenAPI document, so a new route
 * or field is attacked without anyone remembering to add it. Deterministic: tables, no randomness.
 */

export interface HostileRequest {
  /** The route as OpenAPI names it, e.g. `POST /v1/endpoints/{id}`. */
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
  readonly what: string;
  /** The statuses this request's class must get, where the class has one (else any 4xx). */
  readonly expect?: readonly number[];
}

/** Ids that exist, by the path prefix they belong to; requests with them must still be invalid. */
export type ExistingIds = Record<string, string>;

interface Schema {
  type?: string;
  format?: string;
  maxLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  $ref?: string;
  allOf?: Schema[];
}

interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/** A key bound to a tenant, and the operator's limit it must not raise a key above. */
export interface TenantKey {
  readonly key: string;
  readonly operatorRateLimitPerS: number;
}

type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const JSON_TYPE = { 'content-type': 'application/json' };
const UNICODE_POINTS = Array.from('💥\u202e\u0000مرحبا\u200b𝕳');
const UNICODE = UNICODE_POINTS.join('').repeat(400);
const OVER_LIMIT = 300 * 1024;

const HOSTILE_IDS = [
  '..%2F..%2Fetc%2Fpasswd', '..', '%00', '%E0%A4%A', encodeURIComponent('💥\u202eevil'), encodeURIComponent("' OR 1=1 --"),
  '__proto__', 'constructor', 'x'.repeat(4000), encodeURIComponent('${jndi:ldap://x/a}'), '%20', 'ep_%0d%0aX-Injected:%201',
];
const UNKNOWN_IDS = ['ep_01JD0000000000000000000000', 'msg_01JD0000000000000000000000', 'dlv_01JD0000000000000000000000', 'no.such.type'];

/** Clearly not an http(s) URL a receiver can have. */
export const EXOTIC_URLS = [
  'javascript:alert(1)', 'file:///etc/passwd', 'gopher://127.0.0.1:25/_HELO', 'http://[::1', 'http://', '//example.com/x',
  'ftp://example.com/x', 'data:text/html,<script>', 'http://example.com:99999/', 'http://exa mple.com/', 'http://example.com/\r\nX-Evil: 1',
  `https://example.com/${'a'.repeat(3000)}`, 'ws://example.com/socket', '\u0000http://example.com', 'http://例え.テスト:-1/',
];

const BROKEN_JSON = ['{', '{"a":', '[1,2', '{"a":1}}', 'nul', '{\'a\':1}', '{"a":1,}', '{"a":"\\uZZZZ"}', '\u0000', '{"a":01}', 'NaN', '{"__proto__":'];
const NOT_OBJECTS = ['[]', '[{}]', '"text"', '42', 'null', 'true', '[[[[]]]]'];
const WRONG_CONTENT_TYPES: [string | null, string][] = [
  ['text/plain', '{}'], ['application/x-www-form-urlencoded', 'a=1&__proto__[x]=1'], ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'],
  ['application/xml', '<a/>'], [null, '{}'], ['application/json; charset=utf-16', '{}'], ['application/json; charset=latin-1', '{}'],
  ['application/jsonx', '{}'], ['text/html', '<script>alert(1)</script>'],
];

/** Headers that carry credentials: they belong in an endpoint's sealed `auth`, never in plain `headers`. */
const CREDENTIAL_HEADERS = ['Authorization', 'proxy-authorization', 'COOKIE', 'X-Api-Key', 'x-API-key'];

/**
 * Filters whose cost is not bounded by their size: object and array operands compared deeply against
 * every event, and more `$or` branches than a filter may have.
 */
const COSTLY_FILTERS: [string, unknown, readonly number[]][] = [
  ['object operands in $in', { customer: { $in: Array.from({ length: 100 }, (_, n) => ({ id: n, tags: ['a', 'b'] })) } }, [422]],
  ['array operands in $in', { customer: { $in: [[1, 2], [3, [4]]] } }, [422]],
  ['object operand in $eq', { customer: { $eq: { id: 1, nested: { deep: true } } } }, [422]],
  // A list of plain values in $eq is compared whole, by length first: cheap, and accepted.
  ['list operand in $eq holding objects and lists', { tags: { $eq: ['a', { b: 1 }, ['c']] } }, [422]],
  ['object operands in $in inside $or', { $or: Array.from({ length: 50 }, (_, n) => ({ [`f${n}`]: { $in: [{ a: n }] } })) }, [422]],
  ['101 $or branches', { $or: Array.from({ length: 101 }, (_, n) => ({ [`f${n}`]: n })) }, [400, 422]],
  ['$or nested 9 deep', JSON.parse(`${'{"$or":['.repeat(9)}{"a":1}${']}'.repeat(9)}`), [400, 422]],
];

/**
 * What an object field named `headers` is, by route: sent to the receiver (attacked with credential
 * headers) or a received request's headers given to compute with. A new route with such a field
 * stops the campaign until it is named here.
 */
const HEADER_FIELDS: Record<string, 'sent' | 'received'> = {
  'POST /v1/endpoints': 'sent', 'PATCH /v1/endpoints/{id}': 'sent', 'POST /v1/webhooks/verify': 'received',
};

/** What a `rate_limit_per_s` field limits, by route: an API key's requests (bounded by the operator's limit) or deliveries. */
const RATE_LIMIT_FIELDS: Record<string, 'api' | 'delivery'> = {
  'POST /v1/api-keys': 'api', 'POST /v1/endpoints': 'delivery', 'PATCH /v1/endpoints/{id}': 'delivery',
};

/** The smallest body each attacked route accepts, so only the attacked field is wrong. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /v1/endpoints': { url: 'https://example.com/hooks' }, 'PATCH /v1/endpoints/{id}': {}, 'POST /v1/api-keys': { role: 'reader' },
};

function validBody(route: string): Record<string, unknown> {
  const body = VALID_BODIES[route];
  if (!body) throw new Error(`hostile-requests: ${route} takes an attacked field; add the smallest body it accepts to VALID_BODIES`);
  return body;
}

function classOf<T>(table: Record<string, T>, route: string, field: string): T {
  if (!(route in table)) throw new Error(`hostile-requests: ${route} has a ${field} field; say in the table what it is`);
  return table[route];
}

function deep(levels: number, inner = '{}'): string {
  return `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;
}

function resolve(schema: Schema | undefined, document: OpenApi): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop()!], document);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0], document);
  return schema;
}

/** Values that are not of the field's type, and not null (which IsOptional accepts as absent). */
function wrongTypes(field: Schema): unknown[] {
  switch (field.type) {
    case 'string': return [42, true, [], {}, ['x']];
    case 'integer': return ['42', 1.5, -1, -1e308, 1e308, 'NaN', true, []];
    case 'number': return ['42', -1e308, 1e308, 'NaN', true, {}];
    case 'boolean': return ['true', 1, [], {}];
    case 'array': return ['x', 42, {}, true];
    case 'object': return ['x', 42, [], true];
    default: return ['x', 42, true];
  }
}

/** Strings too long for the field, in plain and in hostile unicode (emoji, RTL override, NUL). */
function tooLong(field: Schema): string[] {
  const over = field.maxLength !== undefined ? field.maxLength + 1 : 2 * OVER_LIMIT;
  // class-validator counts code points, not UTF-16 units: over the limit either way.
  return ['y'.repeat(over), Array.from({ length: over + 1 }, (_, i) => UNICODE_POINTS[i % UNICODE_POINTS.length]).join('')];
}

function bodyCases(schema: Schema, document: OpenApi): [string, unknown][] {
  const properties = Object.entries(schema.properties ?? {}).map(([name, field]) => [name, resolve(field, document)] as const);
  const cases: [string, unknown][] = [];
  if ((schema.required ?? []).length > 0) cases.push(['missing required fields', {}]);
  cases.push(['unknown field', { surprise: true }], ['__proto__ key', JSON.parse('{"__proto__": {"polluted": true}}')],
    ['constructor key', { constructor: { prototype: { polluted: true } } }], ['prototype key', { prototype: { polluted: true } }]);
  for (const [name, field] of properties) {
    for (const value of wrongTypes(field)) cases.push([`${name}: wrong type ${JSON.stringify(value)}`, { [name]: value }]);
    if (field.type === 'string' || field.type === undefined) {
      for (const value of tooLong(field)) cases.push([`${name}: ${value.length}-character string`, { [name]: value }]);
    }
    if (field.type === 'object' || field.type === undefined) {
      cases.push([`${name}: nested __proto__`, { [name]: JSON.parse('{"a": {"__proto__": {"polluted": true}}}') }]);
      cases.push([`${name}: nested constructor`, { [name]: { constructor: { prototype: { polluted: true } } } }]);
      cases.push([`${name}: 40 levels deep`, JSON.parse(`{"${name}": ${deep(40)}}`)]);
    }
    if (/url/i.test(name)) for (const url of EXOTIC_URLS) cases.push([`${name}: ${url.slice(0, 40)}`, { [name]: url }]);
  }
  return cases;
}

function substitutions(path: string): string[] {
  return path.includes('{') ? [...UNKNOWN_IDS, ...HOSTILE_IDS].map((id) => path.replace(/\{[^}]+\}/, id)) : [];
}

function withId(path: string, existing: ExistingIds): string | null {
  const prefix = Object.keys(existing).find((p) => path.startsWith(`${p}/{`));
  return prefix ? path.replace(/\{[^}]+\}/, existing[prefix]) : path.includes('{') ? null : path;
}

function queryCases(operation: Operation): string[] {
  const params = (operation.parameters ?? []).filter((p) => p.in === 'query');
  if (params.length === 0) return [];
  const cases = ['surprise=1', '__proto__[polluted]=1', 'constructor=1'];
  for (const { name, schema } of params) {
    const type = schema?.type;
    const values = type === 'integer' || type === 'number'
      ? ['-1', '0', '1e309', '1.5', 'NaN', 'abc', '99999999999999999999', '0x10', '']
      : type === 'boolean' ? ['maybe', '2'] : ['z'.repeat(3000), encodeURIComponent(UNICODE.slice(0, 400))];
    if (schema?.format === 'date-time') values.push('not-a-date', '2024-13-45T99:00:00Z', '-271821-04-20T00:00:00Z');
    for (const value of values) cases.push(`${name}=${value}`);
    cases.push(`${name}=1&${name}=2`, `${name}[a]=1`);
  }
  return cases;
}

export function hostileRequests(document: OpenApi, existing: ExistingIds, adminKey: string, tenant: TenantKey): HostileRequest[] {
  const auth = { authorization: `Bearer ${adminKey}` };
  const requests: HostileRequest[] = [];
  const add = (route: string, method: string, path: string, what: string, headers: Record<string, string>, body?: string | Uint8Array, expect?: readonly number[]) =>
    requests.push({ route, method, path, what, headers: { ...auth, ...headers }, body, expect });

  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      const route = `${method.toUpperCase()} ${template}`;
      if (!operation) {
        add(`${route} (not a method)`, method.toUpperCase(), withId(template, existing) ?? template, 'method not allowed', JSON_TYPE, method === 'get' || method === 'delete' ? undefined : '{}');
        continue;
      }
      if (template.startsWith('/v1/')) {
        add(route, method.toUpperCase(), withId(template, existing) ?? template, 'no api key', { authorization: '' });
        add(route, method.toUpperCase(), withId(template, existing) ?? template, 'wrong api key', { authorization: `Bearer ${'k'.repeat(300)}` });
      }
      for (const path of substitutions(template)) add(route, method.toUpperCase(), path, 'unknown or hostile id', {});
      const target = withId(template, existing);
      if (target && method === 'get') {
        for (const query of queryCases(operation)) add(route, 'GET', `${target}?${query}`, `query ${query.slice(0, 40)}`, {});
      }
      const schema = resolve(operation.requestBody?.content['application/json']?.schema, document);
      if (!target || !operation.requestBody) continue;
      const send = (what: string, body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE) => add(route, method.toUpperCase(), target, what, headers, body);
      for (const [what, body] of bodyCases(schema, document)) send(what, JSON.stringify(body));
      for (const text of BROKEN_JSON) send(`broken JSON ${text.slice(0, 20)}`, text);
      for (const text of NOT_OBJECTS) send(`not an object: ${text}`, text);
      for (const [type, text] of WRONG_CONTENT_TYPES) send(`content type ${type}`, type ? text : new TextEncoder().encode(text), type ? { 'content-type': type } : {});
      send('over the body limit', JSON.stringify({ padding: 'p'.repeat(OVER_LIMIT) }));
      send('5,000 levels deep', deep(5000));
      send('deep arrays', `${'['.repeat(10000)}${']'.repeat(10000)}`);
      send('gzip that is not', '{}', { ...JSON_TYPE, 'content-encoding': 'gzip' });
      send('unknown encoding', '{}', { ...JSON_TYPE, 'content-encoding': 'evil' });
      if (method === 'post') send('hostile Idempotency-Key', '{"surprise":1}', { ...JSON_TYPE, 'idempotency-key': 'i'.repeat(1000) });
      const fields = schema.properties ?? {};
      const valid = (field: string, value: unknown) => JSON.stringify({ ...validBody(route), [field]: value });
      if ('headers' in fields && classOf(HEADER_FIELDS, route, 'headers') === 'sent') {
        for (const name of CREDENTIAL_HEADERS) add(route, method.toUpperCase(), target, `credential header ${name}`, JSON_TYPE, valid('headers', { [name]: 'Bearer stolen' }), [422]);
      }
      if ('filter' in fields) {
        for (const [what, filter, expect] of COSTLY_FILTERS) add(route, method.toUpperCase(), target, `filter: ${what}`, JSON_TYPE, valid('filter', filter), expect);
      }
      if ('rate_limit_per_s' in fields && classOf(RATE_LIMIT_FIELDS, route, 'rate_limit_per_s') === 'api') {
        for (const limit of [tenant.operatorRateLimitPerS + 1, 100_000]) {
          add(route, method.toUpperCase(), target, `tenant key raising rate_limit_per_s to ${limit}`, { ...JSON_TYPE, authorization: `Bearer ${tenant.key}` }, valid('rate_limit_per_s', limit), [403, 422]);
        }
      }
    }
  }
  return requests;
}
