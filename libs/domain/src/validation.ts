/** The answer of every domain validator: valid, or the reason a user can act on. */
export type Validation = { readonly valid: true } | { readonly valid: false; readonly reason: string };

export const valid: Validation = Object.freeze({ valid: true });

export function invalid(reason: string): Validation {
  return { valid: false, reason };
}
