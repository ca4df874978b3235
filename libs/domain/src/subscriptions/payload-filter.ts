import { FieldOperator, FIELD_OPERATORS, FieldPath, fieldPath, lookup, Meter, operatorCheck, OperatorCheck } from './payload-filter-checks';
import { InvalidPayloadFilterError, PAYLOAD_FILTER_LIMITS } from './payload-filter-limits';

export { InvalidPayloadFilterError, PAYLOAD_FILTER_LIMITS } from './payload-filter-limits';
export type { PayloadFilterRefusal } from './payload-filter-limits';

/**
 * Endpoint payload filters: conditions on an event's `data`, in the MongoDB-like shape Convoy and
 * Hookdeck users know. `{"amount": {"$gte": 1000}, "customer.country": {"$in": ["de", "fr"]}}`
 * — keys are field paths (dotted, or nested objects), values a plain value (`$eq`) or operators;
 * `$and`/`$or` take arrays of filters. Every key must hold, and a missing field matches only
 * `$neq`, `$nin` and `$exists: false`.
 *
 * A match runs inside ingest's batch transaction, so its cost is bounded by the filter alone, never
 * by the event: operands are scalars (or, for `$eq`/`$neq`, a list of scalars), so no step walks a
 * part of the event whose size the publisher chooses. Each compiled filter knows the most steps a
 * match can take (`cost`), and a filter over PAYLOAD_FILTER_LIMITS.steps is refused.
 */
export interface PayloadMatcher {
  (data: unknown): boolean;
  /** The most steps one match can take, whatever the data. */
  readonly cost: number;
  /**
   * Matches and counts the steps. `exhausted` is a guard that the limits make unreachable: were a
   * match to pass the step budget, it stops and answers `matched: true` — the event is delivered,
   * never dropped because of what its filter cost — and the caller reports it.
   */
  measure(data: unknown): { readonly matched: boolean; readonly steps: number; readonly exhausted: boolean };
}

export type PayloadFilterValidation =
  | { readonly valid: true }
  | { readonly valid: false; readonly field: string; readonly reason: string; readonly refusal: 'shape' | 'cost' };

const COMBINATORS = ['$and', '$or'] as const;

/** Whether `filter` is a usable filter; when not, the field (`filter.amount.$gte`) and why. */
export function validatePayloadFilter(filter: unknown, field = 'filter'): PayloadFilterValidation {
  try {
    compilePayloadFilter(filter, field);
    return { valid: true };
  } catch (error) {
    if (error instanceof InvalidPayloadFilterError) return { valid: false, field: error.field, reason: error.reason, refusal: error.refusal };
    throw error;
  }
}

/**
 * Compiles once into a matcher over `data`; throws InvalidPayloadFilterError on a bad filter.
 * `budget` (steps per match) is PAYLOAD_FILTER_LIMITS.steps; a test lowers it to reach the guard.
 */
export function compilePayloadFilter(filter: unknown, field = 'filter', budget: number = PAYLOAD_FILTER_LIMITS.steps): PayloadMatcher {
  if (!isPlainObject(filter)) throw new InvalidPayloadFilterError(field, 'must be an object of conditions on data fields');
  if (JSON.stringify(filter).length > PAYLOAD_FILTER_LIMITS.bytes) {
    throw new InvalidPayloadFilterError(field, `must be at most ${PAYLOAD_FILTER_LIMITS.bytes} bytes of JSON`, 'cost');
  }
  const root = new FilterCompiler().filter(filter, [], field, 1);
  if (root.cost > PAYLOAD_FILTER_LIMITS.steps) {
    throw new InvalidPayloadFilterError(field, `would take up to ${root.cost} steps per event; at most ${PAYLOAD_FILTER_LIMITS.steps} (fewer conditions, shorter paths or lists)`, 'cost');
  }
  const measure = (data: unknown) => {
    const meter: Meter = { steps: 0, budget };
    try {
      return { matched: root.matches(data, meter), steps: meter.steps, exhausted: false };
    } catch (error) {
      if (error !== BUDGET_EXHAUSTED) throw error;
      return { matched: true, steps: meter.steps, exhausted: true };
    }
  };
  return Object.assign((data: unknown) => measure(data).matched, { cost: root.cost, measure });
}

/** A compiled node: what it matches, and the most steps that takes (counted as `matches` counts them). */
interface Node {
  readonly cost: number;
  matches(data: unknown, meter: Meter): boolean;
}

const BUDGET_EXHAUSTED = Symbol('payload filter budget exhausted');

function spend(meter: Meter, steps: number): void {
  meter.steps += steps;
  if (meter.steps > meter.budget) throw BUDGET_EXHAUSTED;
}

/** Cheapest first: an `$and` fails and an `$or` succeeds as early, and as cheaply, as it can. */
const cheapestFirst = (nodes: Node[]): Node[] => [...nodes].sort((a, b) => a.cost - b.cost);
const total = (nodes: readonly { readonly cost: number }[]): number => nodes.reduce((sum, node) => sum + node.cost, 0);

function every(nodes: Node[]): Node {
  const sorted = cheapestFirst(nodes);
  return { cost: 1 + total(sorted), matches: (data, meter) => (spend(meter, 1), sorted.every((node) => node.matches(data, meter))) };
}

function some(nodes: Node[]): Node {
  const sorted = cheapestFirst(nodes);
  return { cost: 1 + total(sorted), matches: (data, meter) => (spend(meter, 1), sorted.some((node) => node.matches(data, meter))) };
}

class FilterCompiler {
  private conditions = 0;

  filter(node: Record<string, unknown>, prefix: readonly string[], field: string, depth: number): Node {
    if (depth > PAYLOAD_FILTER_LIMITS.depth) throw new InvalidPayloadFilterError(field, `nests deeper than ${PAYLOAD_FILTER_LIMITS.depth} levels`, 'cost');
    const nodes = Object.entries(node).map(([key, value]) => {
      const at = `${field}.${key}`;
      if (key === '$and' || key === '$or') return this.combinator(key, value, prefix, at, depth);
      if (key.startsWith('$')) throw new InvalidPayloadFilterError(at, `unknown operator ${key}; use ${FIELD_OPERATORS.join(', ')} on a field, or ${COMBINATORS.join(', ')}`);
      const segments = key.split('.');
      if (segments.some((segment) => segment === '')) throw new InvalidPayloadFilterError(at, 'a field path has an empty segment');
      const path = [...prefix, ...segments];
      if (path.length > PAYLOAD_FILTER_LIMITS.pathSegments) {
        throw new InvalidPayloadFilterError(at, `a field path has at most ${PAYLOAD_FILTER_LIMITS.pathSegments} segments`, 'cost');
      }
      if (!isPlainObject(value)) return this.condition({ $eq: value }, path, at);
      if (Object.keys(value).length === 0) throw new InvalidPayloadFilterError(at, 'is an empty condition; give a value or an operator such as {"$exists": true}');
      return Object.keys(value).some(isFieldOperator) ? this.condition(value, path, at) : this.filter(value, path, at, depth + 1);
    });
    return every(nodes);
  }

  private combinator(key: '$and' | '$or', value: unknown, prefix: readonly string[], field: string, depth: number): Node {
    if (!Array.isArray(value) || value.length === 0) throw new InvalidPayloadFilterError(field, `${key} takes an array of 1–${PAYLOAD_FILTER_LIMITS.values} filters`);
    if (value.length > PAYLOAD_FILTER_LIMITS.values) throw new InvalidPayloadFilterError(field, `${key} takes an array of 1–${PAYLOAD_FILTER_LIMITS.values} filters`, 'cost');
    const nodes = value.map((item, i) => {
      if (!isPlainObject(item)) throw new InvalidPayloadFilterError(`${field}.${i}`, 'must be an object of conditions on data fields');
      return this.filter(item, prefix, `${field}.${i}`, depth + 1);
    });
    return key === '$and' ? every(nodes) : some(nodes);
  }

  private condition(operators: Record<string, unknown>, path: readonly string[], field: string): Node {
    const checks: OperatorCheck[] = Object.entries(operators).map(([operator, operand]) => {
      const at = `${field}.${operator}`;
      if (!isFieldOperator(operator)) {
        throw new InvalidPayloadFilterError(at, operator.startsWith('$')
          ? `unknown operator ${operator}; use ${FIELD_OPERATORS.join(', ')}`
          : `mixes the field name "${operator}" with operators; nest it or use a dotted path`);
      }
      if (++this.conditions > PAYLOAD_FILTER_LIMITS.conditions) throw new InvalidPayloadFilterError(at, `a filter has at most ${PAYLOAD_FILTER_LIMITS.conditions} conditions`, 'cost');
      return operatorCheck(operator, operand, at);
    });
    const sorted = [...checks].sort((a, b) => a.cost - b.cost);
    const compiled: FieldPath = fieldPath(path);
    return {
      cost: compiled.length + total(sorted),
      matches: (data, meter) => {
        spend(meter, compiled.length);
        const value = lookup(data, compiled);
        return sorted.every((check) => (spend(meter, check.cost), check.test(value)));
      },
    };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldOperator(key: string): key is FieldOperator {
  return (FIELD_OPERATORS as readonly string[]).includes(key);
}
