import { DomainRuleError } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';

const STATUS: Record<DomainRuleError['kind'], number> = { not_found: 404, forbidden: 403, conflict: 409, invalid: 422 };

export interface FieldAnswer {
  readonly message: string;
  /** When the route answered another status than the refusal's kind does. */
  readonly status?: number;
}

/** By field, then by the refusal's kind. */
export type FieldAnswers = Readonly<Record<string, Partial<Record<DomainRuleError['kind'], FieldAnswer>>>>;

/**
 * Before their rules moved into the domain, these routes answered a refused field with a short
 * message of its own in `errors[]` (and a few with their own status); clients read them, so a
 * domain refusal on such a field keeps that answer. Anything else passes through unchanged.
 */
export function withFieldAnswer(error: unknown, answers: FieldAnswers): unknown {
  if (!(error instanceof DomainRuleError) || error.field === undefined) return error;
  const answer = answers[error.field]?.[error.kind];
  if (!answer) return error;
  return new ProblemException(answer.status ?? STATUS[error.kind], error.message, { errors: [{ field: error.field, message: answer.message }] });
}
