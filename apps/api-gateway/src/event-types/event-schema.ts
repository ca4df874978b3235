import Ajv, { ErrorObject, Options, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { useLinearFormats } from './linear-formats';
import { linearRegExp } from './linear-regexp';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export const MAX_SCHEMA_BYTES = 65_536;
const MAX_ERRORS = 20;

// strictSchema refuses unknown keywords, so a typo like "minimun" is an error, not a silent no-op.
// `pattern` and `patternProperties` run in a linear-time engine: V8's backtracking one took 662 ms
// for `^([a-z0-9]+)*$` on 27 characters, on every publish. allowMatchingProperties: strict mode
// would otherwise test each pattern against the schema's property names with a native RegExp.
const OPTIONS: Options = {
  allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, logger: false,
  allowMatchingProperties: true, code: { regExp: linearRegExp },
};

const DIALECTS: { readonly pattern: RegExp; readonly create: () => Ajv }[] = [
  { pattern: /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/, create: () => new Ajv(OPTIONS) },
  { pattern: /^https:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/, create: () => new Ajv2019(OPTIONS) },
  { pattern: /^https:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/, create: () => new Ajv2020(OPTIONS) },
];

/** A JSON Schema that cannot be used for event data; `errors` name what is wrong in it. */
export class InvalidEventSchemaError extends Error {
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((error) => `${error.field}: ${error.message}`).join('; '));
    this.name = 'InvalidEventSchemaError';
  }
}

/**
 * Checks a JSON Schema against its dialect's meta-schema and compiles it: draft-07 unless
 * `$schema` names 2019-09 or 2020-12. Each schema gets its own Ajv: schemas of different event
 * types (or two versions of one) may share an `$id`, which one Ajv refuses to hold twice. Remote
 * `$ref`s are never fetched, so they fail to resolve.
 */
export function compileEventSchema(schema: Record<string, unknown>, field = 'schema'): ValidateFunction {
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES) throw new InvalidEventSchemaError([{ field, message: `must be at most ${MAX_SCHEMA_BYTES} bytes of JSON` }]);
  const dialect = schema.$schema === undefined ? DIALECTS[0] : DIALECTS.find((d) => typeof schema.$schema === 'string' && d.pattern.test(schema.$schema));
  if (!dialect) {
    throw new InvalidEventSchemaError([{ field: `${field}.$schema`, message: 'must be the draft-07, 2019-09 or 2020-12 meta-schema URI (or be left out for draft-07)' }]);
  }
  const ajv = dialect.create();
  addFormats(ajv);
  useLinearFormats(ajv);
  if (!ajv.validateSchema(schema)) throw new InvalidEventSchemaError(fieldErrors(ajv.errors, field));
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new InvalidEventSchemaError([{ field, message: (error as Error).message }]);
  }
}

/** Ajv's errors as `data.items.0.sku: must be string`, the way the rest of the API names fields. */
export function fieldErrors(errors: readonly ErrorObject[] | null | undefined, root: string): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors ?? []) {
    const segments = error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const missing = error.params.missingProperty ?? error.params.additionalProperty;
    if (typeof missing === 'string') segments.push(missing);
    const field = [root, ...segments].join('.');
    const message = error.keyword === 'required' || error.keyword === 'dependentRequired' ? 'is required'
      : error.keyword === 'additionalProperties' ? 'is not allowed (additionalProperties)'
      : error.message ?? 'is not valid';
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ field, message });
    if (result.length === MAX_ERRORS) break;
  }
  return result;
}
