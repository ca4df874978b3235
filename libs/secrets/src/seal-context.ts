/**
 * Where a sealed value lives: its table, column and row. Sealed values carry it as AES-GCM
 * additional data, so a value copied to another row or column (by someone who can write the
 * database but not read the key) fails authentication instead of opening there.
 */
export type SealContext = string & { readonly __sealContext: unique symbol };

/** The row key is JSON-encoded, so no choice of id or idempotency key can spell another row's context. */
const at = (table: string, column: string, ...rowKey: string[]) => `${table}.${column}:${JSON.stringify(rowKey)}` as SealContext;

export const sealedAt = {
  /** One of an endpoint's signing keys (`endpoints.secrets[*].sealed`). */
  endpointSecret: (endpointId: string) => at('endpoints', 'secrets', endpointId),
  /** An endpoint's basic password or bearer token (`endpoints.auth.sealed`). */
  endpointAuth: (endpointId: string) => at('endpoints', 'auth', endpointId),
  /** A stored idempotent answer (`idempotency_keys.response_body.sealed`). */
  idempotentAnswer: (scope: string, key: string) => at('idempotency_keys', 'response_body', scope, key),
};
