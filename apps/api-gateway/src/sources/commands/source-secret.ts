import { HttpStatus } from '@nestjs/common';
import { generateSecret, newId, SourceType, validateSecret } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import type { EndpointKeyRow, EndpointKeys } from '@hookledger/secrets';

/** Providers that issue the secret themselves: Hookledger cannot make one up for them. */
const PROVIDER_ISSUED: ReadonlySet<SourceType> = new Set(['hubspot', 'stripe']);

/**
 * A source's secret sealed in the key table under a new key id (the source id stands where an
 * endpoint's would), and its plain value for the one answer that shows it.
 */
export function issueSourceSecret(keys: EndpointKeys, sourceId: string, type: SourceType, given: string | undefined): { row: EndpointKeyRow; secret: string } {
  if (given === undefined && PROVIDER_ISSUED.has(type)) {
    const what = type === 'hubspot' ? 'the app\'s client secret (HubSpot signs with it)' : 'the endpoint\'s signing secret from the Stripe dashboard (whsec_…)';
    throw invalid(`a ${type} source needs ${what}`);
  }
  if (given !== undefined && type === 'standard') {
    const check = validateSecret(given);
    if (!check.valid) throw invalid(check.reason);
  }
  const secret = given ?? generateSecret();
  return { row: keys.seal(sourceId, newId('key'), 'signing', secret), secret };
}

const invalid = (message: string) => new ProblemException(HttpStatus.BAD_REQUEST, `secret: ${message}`, { errors: [{ field: 'secret', message }] });
