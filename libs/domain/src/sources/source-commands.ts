import type { SourceType } from './source-events';

/** POST /v1/sources: the id and the sealed key's id are made by the caller. */
export type CreateSource = {
  readonly kind: 'CreateSource';
  readonly source_id: string;
  readonly tenant_id: string;
  readonly type: SourceType;
  readonly name: string;
  readonly secret_key_id: string;
};

/** PATCH: only the fields given. */
export type UpdateSource = { readonly kind: 'UpdateSource'; readonly source_id: string; readonly name?: string };

/** A new secret; the ones in force keep verifying for `grace_period_s`. */
export type RotateSourceSecret = {
  readonly kind: 'RotateSourceSecret';
  readonly source_id: string;
  readonly secret_key_id: string;
  readonly grace_period_s: number;
  readonly now: Date;
};

/** DELETE: the ingest URL stops answering; idempotent. */
export type DeleteSource = { readonly kind: 'DeleteSource'; readonly source_id: string };

export type SourceCommand = CreateSource | UpdateSource | RotateSourceSecret | DeleteSource;
