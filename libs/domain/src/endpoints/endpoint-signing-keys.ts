/**
 * An endpoint's signing key as the endpoint knows it: the id of its sealed material in the key
 * table, and when it stops signing (null for the newest, which signs until the next rotation).
 */
export type SigningKeyReference = { readonly key_id: string; readonly expires_at: string | null };

/** What a rotation does to the keys already there. */
export interface RotationPlan {
  /** When the keys that keep signing next to the new one stop; null when none do. */
  readonly previous_expire_at: string | null;
  readonly retired_key_ids: readonly string[];
}

/**
 * A rotation at `now` with a grace period: every key already there signs until the grace period
 * ends, or until its own earlier end (a shorter grace period cuts longer ones short, never the
 * reverse); keys whose end is not after `now` — already expired, or all of them with a zero grace
 * period — are retired.
 */
export function planRotation(keys: readonly SigningKeyReference[], now: Date, gracePeriodS: number): RotationPlan {
  const graceEnds = new Date(now.getTime() + gracePeriodS * 1000).toISOString();
  const retired = keys.filter((key) => Date.parse(endOf(key, graceEnds)) <= now.getTime());
  return {
    previous_expire_at: retired.length < keys.length ? graceEnds : null,
    retired_key_ids: retired.map((key) => key.key_id),
  };
}

/** The keys after a rotation: the new one first (the dispatcher signs in this order), then those still signing. */
export function keysAfterRotation(keys: readonly SigningKeyReference[], newKeyId: string, plan: RotationPlan): SigningKeyReference[] {
  const newest: SigningKeyReference = { key_id: newKeyId, expires_at: null };
  const graceEnds = plan.previous_expire_at;
  if (graceEnds === null) return [newest];
  const retired = new Set(plan.retired_key_ids);
  return [newest, ...keys.filter((key) => !retired.has(key.key_id)).map((key) => ({ ...key, expires_at: endOf(key, graceEnds) }))];
}

/** The earlier of a key's own end and the grace period's, keeping the key's own text when it is earlier. */
function endOf(key: SigningKeyReference, graceEnds: string): string {
  return key.expires_at !== null && Date.parse(key.expires_at) < Date.parse(graceEnds) ? key.expires_at : graceEnds;
}

/** The keys that sign at `now`, newest first: what GET …/secret shows and the dispatcher signs with. */
export function keysInForce(keys: readonly SigningKeyReference[], now: Date): SigningKeyReference[] {
  return keys.filter((key) => key.expires_at === null || Date.parse(key.expires_at) > now.getTime());
}
