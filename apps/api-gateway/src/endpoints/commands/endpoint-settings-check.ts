import { HttpStatus } from '@nestjs/common';
import type { HookledgerConfig } from '@hookledger/config';
import { validateOperationalSubscription, validatePayloadFilter } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { refuseCredentialHeaders } from '../custom-headers';
import { checkDestinationUrl } from '../destination-url';

/**
 * What only the app can check of an endpoint's settings before they enter the ledger: the URL
 * against the SSRF rules, the filter's cost, credential headers, subscriptions to operational types.
 */
export function checkEndpointSettings(
  settings: { url?: string; filter?: Record<string, unknown> | null; headers?: Record<string, string>; event_types?: readonly string[] | null },
  config: HookledgerConfig,
): void {
  if (settings.url !== undefined) checkDestinationUrl(settings.url, 'url', config);
  checkOperationalSubscriptions(settings.event_types);
  checkFilter(settings.filter);
  refuseCredentialHeaders(settings.headers);
}

/**
 * A payload filter is refused naming the exact spot, e.g. `filter.amount.$gte`: 400 when it is not a
 * filter, 422 when it is one whose match could cost more than ingest allows (object operands, limits).
 */
function checkFilter(filter: Record<string, unknown> | null | undefined): void {
  if (filter === undefined || filter === null) return;
  const result = validatePayloadFilter(filter);
  if (result.valid) return;
  const status = result.refusal === 'cost' ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.BAD_REQUEST;
  throw new ProblemException(status, `${result.field}: ${result.reason}`, { errors: [{ field: result.field, message: result.reason }] });
}

/** A subscription under the reserved `hookledger.` prefix must name an operational type that exists: 422 naming `event_types.<i>`. */
function checkOperationalSubscriptions(eventTypes: readonly string[] | null | undefined): void {
  const errors = (eventTypes ?? []).flatMap((pattern, i) => {
    const check = validateOperationalSubscription(pattern);
    return check.valid ? [] : [{ field: `event_types.${i}`, message: check.reason }];
  });
  if (errors.length === 0) return;
  throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${errors[0].field}: ${errors[0].message}`, { errors });
}
