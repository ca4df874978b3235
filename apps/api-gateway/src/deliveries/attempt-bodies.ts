import { Injectable } from '@nestjs/common';
import { attemptBodyContext } from '@hookledger/domain';
import { TenantDataKeys } from '@hookledger/secrets';

/** The answer columns of an `attempts` row. */
export interface AttemptBodyColumns {
  readonly id: string;
  readonly tenant_id: string | null;
  /** Version 1 attempts: the excerpt in plain text. */
  readonly response_body: string | null;
  /** Version 2 attempts: the excerpt sealed with the tenant's data key (`''` for an empty answer). */
  readonly sealed_response_body: string | null;
}

export interface OpenedAttemptBody {
  readonly text: string | null;
  /** When retention or erasure destroyed the key that sealed it; null while it opens. */
  readonly purged_at: Date | null;
}

/**
 * Opens the response bodies of a page of attempts with one data-key lookup for the page. A body
 * whose key was destroyed answers null with the time it was purged; one that does not open for
 * any other reason (altered, copied from another attempt) is an error, not a silent null.
 */
@Injectable()
export class AttemptBodies {
  constructor(private readonly keys: TenantDataKeys) {}

  async open(rows: readonly AttemptBodyColumns[]): Promise<OpenedAttemptBody[]> {
    const sealed = rows.flatMap((row, index) =>
      TenantDataKeys.isSealed(row.sealed_response_body) && row.tenant_id !== null
        ? [{ index, sealed: row.sealed_response_body, tenantId: row.tenant_id, context: attemptBodyContext(row.id) }]
        : []);
    const opened = sealed.length === 0 ? [] : await this.keys.openMany(sealed);
    const byIndex = new Map(sealed.map((item, i) => [item.index, opened[i]]));
    return rows.map((row, index) => {
      const body = byIndex.get(index);
      if (body) return { text: body.text, purged_at: body.purged_at };
      return { text: row.sealed_response_body ?? row.response_body, purged_at: null };
    });
  }
}
