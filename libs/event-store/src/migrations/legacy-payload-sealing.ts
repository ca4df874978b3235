/** One plaintext payload or response body a legacy event holds, to seal with its tenant's data key of the day `at` falls in. */
export interface LegacyPlaintext {
  readonly tenantId: string;
  readonly plaintext: string;
  /** Where it belongs (libs/secrets PayloadContext: `message:<tenant>/<id>`, `attempt:<id>`). */
  readonly context: string;
  /** When it was recorded: its data key is the one of that retention day, so retention covers it like any other. */
  readonly at: Date;
}

/** TenantDataKeys behind an interface: the store's migrations cannot import libs/secrets (which imports the store). */
export interface LegacyPayloadSealer {
  seal(items: readonly LegacyPlaintext[]): Promise<string[]>;
}

/**
 * What migration 1732400000069 needs beyond SQL, given by whoever runs the migrations (the
 * migration CLI, a spec): the sealer — null when HOOKS_ENCRYPTION_KEY is not at hand, in which case
 * the migration refuses to run on a store that still holds plaintext — and whether it may re-chain
 * streams that signed checkpoints already cover.
 */
export interface LegacySealing {
  readonly sealer: LegacyPayloadSealer | null;
  readonly allowAfterCheckpoints: boolean;
}

const NONE: LegacySealing = { sealer: null, allowAfterCheckpoints: false };
let current: LegacySealing = NONE;

/** Runs `work` (the migrations) with `sealing` available to migration 1732400000069. */
export async function withLegacySealing<T>(sealing: LegacySealing | undefined, work: () => Promise<T>): Promise<T> {
  current = sealing ?? NONE;
  try {
    return await work();
  } finally {
    current = NONE;
  }
}

export const legacySealing = (): LegacySealing => current;
