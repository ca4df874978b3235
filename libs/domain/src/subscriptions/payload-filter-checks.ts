import { InvalidPayloadFilterError, PAYLOAD_FILTER_LIMITS } from './payload-filter-limits';

export const FIELD_OPERATORS = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** Steps a match has taken, and how many it may take. */
export interface Meter {
  steps: number;
  readonly budget: number;
}

export const MISSING = Symbol('missing');
export type Found = unknown;

/** One operator on a looked-up value; `cost` steps, whatever the value (nothing here walks the event). */
export interface OperatorCheck {
  readonly cost: number;
  test(value: Found): boolean;
}

type Scalar = string | number | boolean | null;

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number';

const SCALARS = 'a string, number, boolean or null';
const NO_OBJECTS = 'objects are not compared whole: put conditions on their fields instead (e.g. {"customer.tier": "vip"})';

export function operatorCheck(operator: FieldOperator, operand: unknown, field: string): OperatorCheck {
  switch (operator) {
    case '$eq': return equality(operand, field, false);
    case '$neq': return equality(operand, field, true);
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw new InvalidPayloadFilterError(field, `${operator} takes an array of at most ${PAYLOAD_FILTER_LIMITS.values} values`);
      if (operand.length > PAYLOAD_FILTER_LIMITS.values) throw new InvalidPayloadFilterError(field, `${operator} takes an array of at most ${PAYLOAD_FILTER_LIMITS.values} values`, 'cost');
      operand.forEach((candidate, i) => {
        if (!isScalar(candidate)) throw new InvalidPayloadFilterError(`${field}.${i}`, `${operator} takes ${SCALARS} values; ${NO_OBJECTS}`, 'cost');
      });
      const isIn = membership(operand as Scalar[]);
      return operator === '$in' ? { cost: 1, test: isIn } : { cost: 1, test: (value) => !isIn(value) };
    }
    case '$exists':
      if (typeof operand !== 'boolean') throw new InvalidPayloadFilterError(field, '$exists takes true or false');
      return { cost: 1, test: (value) => (value !== MISSING) === operand };
    default: {
      if (typeof operand !== 'number' && typeof operand !== 'string') {
        throw new InvalidPayloadFilterError(field, `${operator} takes a number or a string (e.g. an ISO-8601 date)`);
      }
      const compare = COMPARISONS[operator];
      // A number is never compared with a string: a type mismatch does not match.
      return { cost: 1, test: (value) => typeof value === typeof operand && compare(value as number | string, operand) };
    }
  }
}

/** `$eq`/`$neq`: a scalar, or a list of scalars compared in order (`{"tags": ["vip", "b2b"]}`). */
function equality(operand: unknown, field: string, negate: boolean): OperatorCheck {
  let check: OperatorCheck;
  if (isScalar(operand)) {
    check = { cost: 1, test: (value) => value === operand };
  } else if (Array.isArray(operand)) {
    if (operand.length > PAYLOAD_FILTER_LIMITS.values) throw new InvalidPayloadFilterError(field, `compares a list of at most ${PAYLOAD_FILTER_LIMITS.values} values`, 'cost');
    operand.forEach((item, i) => {
      if (!isScalar(item)) throw new InvalidPayloadFilterError(`${field}.${i}`, `a list to compare holds ${SCALARS} values; ${NO_OBJECTS}`, 'cost');
    });
    // The length is compared first: a list of 20,000 elements costs one step, not 20,000.
    check = { cost: 1 + operand.length, test: (value) => Array.isArray(value) && value.length === operand.length && operand.every((item, i) => value[i] === item) };
  } else {
    throw new InvalidPayloadFilterError(field, `takes ${SCALARS}, or a list of those; ${NO_OBJECTS}`, 'cost');
  }
  const { cost, test } = check;
  return negate ? { cost, test: (value) => value === MISSING || !test(value) } : { cost, test: (value) => value !== MISSING && test(value) };
}

/** `$in`: one Set lookup, whatever the list; a string longer than every candidate is not even hashed. */
function membership(candidates: readonly Scalar[]): (value: Found) => boolean {
  const set = new Set<unknown>(candidates);
  const longest = Math.max(0, ...candidates.map((candidate) => (typeof candidate === 'string' ? candidate.length : 0)));
  return (value) => {
    if (value === MISSING) return false;
    if (typeof value === 'string') return value.length <= longest && set.has(value);
    return isScalar(value) && set.has(value);
  };
}

const COMPARISONS: Record<'$gt' | '$gte' | '$lt' | '$lte', (a: number | string, b: number | string) => boolean> = {
  $gt: (a, b) => a > b,
  $gte: (a, b) => a >= b,
  $lt: (a, b) => a < b,
  $lte: (a, b) => a <= b,
};

/** A field path compiled once: a digit segment may index an array (`items.0.sku`). */
export type FieldPath = readonly { readonly key: string; readonly index: number | null }[];

export function fieldPath(segments: readonly string[]): FieldPath {
  return segments.map((key) => ({ key, index: /^\d+$/.test(key) && Number.isSafeInteger(Number(key)) ? Number(key) : null }));
}

/** The value at a path, one step a segment: own properties only (`constructor`, `__proto__` are fields like any other). */
export function lookup(data: unknown, path: FieldPath): Found {
  let current: unknown = data;
  for (const { key, index } of path) {
    if (Array.isArray(current)) {
      if (index === null || index >= current.length) return MISSING;
      current = current[index];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return MISSING;
    }
  }
  return current;
}
