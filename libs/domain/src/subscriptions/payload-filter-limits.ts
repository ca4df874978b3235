/**
 * What a payload filter may hold. `steps` is the work one match may take (a segment of a field path
 * walked, a value compared, a filter object entered); the other bounds keep every filter the API
 * accepts under it, so the step budget is never reached in practice.
 */
export const PAYLOAD_FILTER_LIMITS = { bytes: 16_384, depth: 8, conditions: 100, values: 100, pathSegments: 32, steps: 20_000 } as const;

/** `shape`: not a filter (unknown operator, wrong kind of operand); `cost`: a filter refused because of what it would cost to match. */
export type PayloadFilterRefusal = 'shape' | 'cost';

export class InvalidPayloadFilterError extends Error {
  constructor(readonly field: string, readonly reason: string, readonly refusal: PayloadFilterRefusal = 'shape') {
    super(`${field}: ${reason}`);
    this.name = 'InvalidPayloadFilterError';
  }
}
