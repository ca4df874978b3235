import { HttpStatus } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { destinationRefusal } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';

/**
 * Where webhooks may be sent, checked when an endpoint or ad-hoc destination is created or its URL
 * changed: https unless HOOKS_ALLOW_HTTP, and no literal non-public address unless private networks
 * are allowed or HOOKS_SSRF_ALLOW_CIDRS covers it. Names are checked again at every connection.
 */
export function checkDestinationUrl(url: string, field: 'url' | 'destination.url', config: HookledgerConfig): void {
  if (!config.allowHttp && !url.toLowerCase().startsWith('https://')) {
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${field} must use https (HOOKS_ALLOW_HTTP is off).`, {
      errors: [{ field, message: `${field} must use https` }],
    });
  }
  const refusal = config.allowPrivateNetworks ? null : destinationRefusal(url, config.ssrfAllowCidrs);
  if (refusal) {
    const message = `${field} is ${refusal}; Hookledger only delivers to public addresses (HOOKS_ALLOW_PRIVATE_NETWORKS / HOOKS_SSRF_ALLOW_CIDRS)`;
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${message}.`, { errors: [{ field, message }] });
  }
}
