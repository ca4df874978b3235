/**
 * Where a sealed value lives: its table, column and row. Sealed values carry it as AES-GCM
 * additional data, so a value copied to another row or column (by someone who can write the
 * database but not read the key) fails authentication instead of opening there.
 */
export type SealContext = string & { readonly __sealContext: unique symbol };

/** The row key is JSON-encoded, so no choice of id or idempotency key can spell another row's context. */
const at = (table: string, column: string, ...rowKey: string[]) => `${table}.${column}:${JSON.stringify(rowKey)}` as SealContext;

export const sealedAt = {
  /** A signing key or auth credential in the key table (`endpoint_keys.sealed`), bound to its own row. */
  endpointKey: (keyId: string) => at('endpoint_keys', 'sealed', keyId),
  /** Before the key table: a signing key in `endpoints.secrets[*].sealed` (moved rows keep it until re-encrypted). */
  endpointSecret: (endpointId: string) => at('endpoints', 'secrets', endpointId),
  /** Before the key table: the basic password or bearer token in `endpoints.auth.sealed`. */
  endpointAuth: (endpointId: string) => at('endpoints', 'auth', endpointId),
  /** A tenant's data key, wrapped under the encryption key (`tenant_data_keys.wrapped`). */
  dataKey: (keyId: string) => at('tenant_data_keys', 'wrapped', keyId),
  /** A stored idempotent answer (`idempotency_keys.response_body.sealed`). */
  idempotentAnswer: (scope: string, key: string) => at('idempotency_keys', 'response_body', scope, key),
};
