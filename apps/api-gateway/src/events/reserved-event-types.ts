import { HttpStatus } from '@nestjs/common';
import { validateCustomerEventType } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';

/**
 * Events of the reserved `hookledger.` types come only from Hookledger (operational webhooks):
 * 422 naming each `type` under it (`events.3.type` in a batch); nothing of a batch is accepted then.
 */
export function refuseReservedEventTypes(events: readonly { type: string }[], shape: 'single' | 'batch'): void {
  const errors = events.flatMap((event, i) => {
    const check = validateCustomerEventType(event.type);
    return check.valid ? [] : [{ field: shape === 'batch' ? `events.${i}.type` : 'type', message: check.reason }];
  });
  if (errors.length === 0) return;
  throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${errors[0].field}: ${errors[0].message}`, { errors });
}
