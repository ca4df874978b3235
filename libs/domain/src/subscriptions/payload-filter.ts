/**
 * Endpoint payload filters: conditions on an event's `data`, in the MongoDB-like shape Convoy and
 * Hookdeck users know. `{"amount": {"$gte": 1000}, "customer.country": {"$in": ["de", "fr"]}}`
 * — keys are field paths (dotted, or nested objects), values a plain value (`$eq`) or operators;
 * `$and`/`$or` take arrays of filters. Every key must hold, and a missing field matches only
 * `$neq`, `$nin` and `$exists: false`.
 */
export type PayloadMatcher = (data: unknown) => boolean;

export type PayloadFilterValidation = { readonly valid: true } | { readonly valid: false; readonly field: string; readonly reason: string };

export const PAYLOAD_FILTER_LIMITS = { bytes: 16_384, depth: 8, conditions: 100, values: 100 } as const;

const FIELD_OPERATORS = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'] as const;
const COMBINATORS = ['$and', '$or'] as const;
type FieldOperator = (typeof FIELD_OPERATORS)[number];

export class InvalidPayloadFilterError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidPayloadFilterError';
  }
}

/** Whether `filter` is a usable filter; when not, the field (`filter.amount.$gte`) and why. */
export function validatePayloadFilter(filter: unknown, field = 'filter'): PayloadFilterValidation {
  try {
    compilePayloadFilter(filter, field);
    return { valid: true };
  } catch (error) {
    if (error instanceof InvalidPayloadFilterError) return { valid: false, field: error.field, reason: error.reason };
    throw error;
  }
}

/** Compiles once into a matcher over `data`; throws InvalidPayloadFilterError on a bad filter. */
export function compilePayloadFilter(filter: unknown, field = 'filter'): PayloadMatcher {
  if (!isPlainObject(filter)) throw new InvalidPayloadFilterError(field, 'must be an object of conditions on data fields');
  if (JSON.stringify(filter).length > PAYLOAD_FILTER_LIMITS.bytes) {
    throw new InvalidPayloadFilterError(field, `must be at most ${PAYLOAD_FILTER_LIMITS.bytes} bytes of JSON`);
  }
  return new FilterCompiler().filter(filter, [], field, 1);
}

class FilterCompiler {
  private conditions = 0;

  filter(node: Record<string, unknown>, prefix: readonly string[], field: string, depth: number): PayloadMatcher {
    if (depth > PAYLOAD_FILTER_LIMITS.depth) throw new InvalidPayloadFilterError(field, `nests deeper than ${PAYLOAD_FILTER_LIMITS.depth} levels`);
    const matchers = Object.entries(node).map(([key, value]) => {
      const at = `${field}.${key}`;
      if (key === '$and' || key === '$or') return this.combinator(key, value, prefix, at, depth);
      if (key.startsWith('$')) throw new InvalidPayloadFilterError(at, `unknown operator ${key}; use ${FIELD_OPERATORS.join(', ')} on a field, or ${COMBINATORS.join(', ')}`);
      const segments = key.split('.');
      if (segments.some((segment) => segment === '')) throw new InvalidPayloadFilterError(at, 'a field path has an empty segment');
      const path = [...prefix, ...segments];
      if (!isPlainObject(value)) return this.condition({ $eq: value }, path, at);
      if (Object.keys(value).length === 0) throw new InvalidPayloadFilterError(at, 'is an empty condition; give a value or an operator such as {"$exists": true}');
      return Object.keys(value).some(isFieldOperator) ? this.condition(value, path, at) : this.filter(value, path, at, depth + 1);
    });
    return (data) => matchers.every((matches) => matches(data));
  }

  private combinator(key: '$and' | '$or', value: unknown, prefix: readonly string[], field: string, depth: number): PayloadMatcher {
    if (!Array.isArray(value) || value.length === 0 || value.length > PAYLOAD_FILTER_LIMITS.values) {
      throw new InvalidPayloadFilterError(field, `${key} takes an array of 1–${PAYLOAD_FILTER_LIMITS.values} filters`);
    }
    const matchers = value.map((item, i) => {
      if (!isPlainObject(item)) throw new InvalidPayloadFilterError(`${field}.${i}`, 'must be an object of conditions on data fields');
      return this.filter(item, prefix, `${field}.${i}`, depth + 1);
    });
    return key === '$and' ? (data) => matchers.every((matches) => matches(data)) : (data) => matchers.some((matches) => matches(data));
  }

  private condition(operators: Record<string, unknown>, path: readonly string[], field: string): PayloadMatcher {
    const checks = Object.entries(operators).map(([operator, operand]) => {
      const at = `${field}.${operator}`;
      if (!isFieldOperator(operator)) {
        throw new InvalidPayloadFilterError(at, operator.startsWith('$')
          ? `unknown operator ${operator}; use ${FIELD_OPERATORS.join(', ')}`
          : `mixes the field name "${operator}" with operators; nest it or use a dotted path`);
      }
      if (++this.conditions > PAYLOAD_FILTER_LIMITS.conditions) throw new InvalidPayloadFilterError(at, `a filter has at most ${PAYLOAD_FILTER_LIMITS.conditions} conditions`);
      return operatorCheck(operator, operand, at);
    });
    return (data) => {
      const value = lookup(data, path);
      return checks.every((check) => check(value));
    };
  }
}

const MISSING = Symbol('missing');
type Found = unknown | typeof MISSING;

function operatorCheck(operator: FieldOperator, operand: unknown, field: string): (value: Found) => boolean {
  switch (operator) {
    case '$eq': return (value) => value !== MISSING && deepEqual(value, operand);
    case '$neq': return (value) => value === MISSING || !deepEqual(value, operand);
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || operand.length > PAYLOAD_FILTER_LIMITS.values) {
        throw new InvalidPayloadFilterError(field, `${operator} takes an array of at most ${PAYLOAD_FILTER_LIMITS.values} values`);
      }
      const isIn = (value: Found) => value !== MISSING && operand.some((candidate) => deepEqual(value, candidate));
      return operator === '$in' ? isIn : (value) => !isIn(value);
    }
    case '$exists':
      if (typeof operand !== 'boolean') throw new InvalidPayloadFilterError(field, '$exists takes true or false');
      return (value) => (value !== MISSING) === operand;
    default: {
      if (typeof operand !== 'number' && typeof operand !== 'string') {
        throw new InvalidPayloadFilterError(field, `${operator} takes a number or a string (e.g. an ISO-8601 date)`);
      }
      const compare = COMPARISONS[operator];
      // A number is never compared with a string: a type mismatch does not match.
      return (value) => typeof value === typeof operand && compare(value as number | string, operand);
    }
  }
}

const COMPARISONS: Record<'$gt' | '$gte' | '$lt' | '$lte', (a: number | string, b: number | string) => boolean> = {
  $gt: (a, b) => a > b,
  $gte: (a, b) => a >= b,
  $lt: (a, b) => a < b,
  $lte: (a, b) => a <= b,
};

/** The value at a dotted path; a digit segment indexes an array (`items.0.sku`). */
function lookup(data: unknown, path: readonly string[]): Found {
  let current: unknown = data;
  for (const segment of path) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = Number(segment) < current.length ? current[Number(segment)] : MISSING;
    else if (isPlainObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return MISSING;
    if (current === MISSING) return MISSING;
  }
  return current;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldOperator(key: string): key is FieldOperator {
  return (FIELD_OPERATORS as readonly string[]).includes(key);
}
