import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { incomingEvents, isId, keysInForce, verifySourceRequest } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { EndpointKeys } from '@hookledger/secrets';
import { EventsService } from '../events/events.service';
import { inputProblem } from '../http/request-input.middleware';
import type { IngestAcceptedResource } from './source.dto';
import { ingestUrl, SourceRow, SourcesRepository } from './sources.repository';
import { SourceRateLimits } from './source-rate-limits';

/** A request to `/in/:source_id` as the controller hands it over. */
export interface IngressRequest {
  readonly sourceId: string;
  readonly method: string;
  /** The path and query as received; only the query is kept (see uriOf). */
  readonly originalUrl: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw parser's Buffer; anything else means no body. */
  readonly body: unknown;
  readonly ip: string | undefined;
}

/**
 * The incoming-webhook ingress: the provider's signature over the raw body is the credential.
 * Verified events enter the normal pipeline (EventsService) for the source's tenant, each with an
 * id made from the provider's delivery id, so a provider's retry is answered 2xx and not delivered again.
 */
@Injectable()
export class SourceIngressService {
  private readonly logger = new Logger(SourceIngressService.name);

  constructor(
    private readonly sources: SourcesRepository,
    private readonly keys: EndpointKeys,
    private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly limits: SourceRateLimits,
    private readonly config: HookledgerConfig,
  ) {}

  async ingest(request: IngressRequest): Promise<IngestAcceptedResource> {
    await this.limits.admitAddress(request.ip);
    const source = isId(request.sourceId, 'src') ? await this.sources.find(request.sourceId) : null;
    if (!source) throw new ProblemException(HttpStatus.NOT_FOUND, `Source ${request.sourceId} does not exist.`);
    await this.limits.admitSource(source.id);

    const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    const headers = singleValued(request.headers);
    const verification = verifySourceRequest(source.type, { method: request.method, uri: this.uriOf(source.id, request.originalUrl), body, headers, now: new Date() }, await this.secretsOf(source));
    if (!verification.valid) {
      this.logger.warn({ msg: 'incoming webhook refused', source_id: source.id, source_type: source.type, reason: verification.detail });
      throw new ProblemException(HttpStatus.UNAUTHORIZED, `The webhook could not be verified for this source: ${verification.detail}.`);
    }

    const parsed = parseJson(body);
    const made = incomingEvents(source.type, source.id, headers, parsed, body);
    if ('invalid' in made) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${made.field}: ${made.invalid}`, { errors: [{ field: made.field, message: made.invalid }] });
    const accepted = await this.events.publishFromSource(made.events, source.tenant_id, { id: source.id, type: source.type });
    return { source_id: source.id, events: accepted.map(({ id, type, duplicate }) => ({ id, type, duplicate: duplicate === true })) };
  }

  /**
   * What HubSpot signed: the public URL it was given (HOOKS_PUBLIC_URL, the base of ingest_url)
   * and the query string as received. Behind a proxy the request's own Host and scheme are the
   * proxy's view, not the URL HubSpot called.
   */
  private uriOf(sourceId: string, originalUrl: string): string {
    const query = originalUrl.indexOf('?');
    return ingestUrl(this.config.publicUrl, sourceId) + (query === -1 ? '' : originalUrl.slice(query));
  }

  /** The secrets in force, newest first: during a rotation's grace period the old one still verifies. */
  private async secretsOf(source: SourceRow): Promise<string[]> {
    const inForce = keysInForce(source.signing_keys, new Date());
    const rows = await this.keys.find(this.db, inForce.map((key) => key.key_id));
    return inForce.flatMap((key) => {
      const row = rows.get(key.key_id);
      return row ? [this.keys.open(row)] : [];
    });
  }
}

function singleValued(headers: IngressRequest['headers']): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value]));
}

/** The body after its signature passed: JSON, without what the API refuses anywhere (deep nesting, prototype keys, NUL). */
function parseJson(body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ProblemException(HttpStatus.BAD_REQUEST, 'The request body is not valid JSON.', { errors: [{ field: 'body', message: 'not valid JSON' }] });
  }
  const problem = inputProblem(parsed, 'request body');
  if (problem) throw new ProblemException(HttpStatus.BAD_REQUEST, problem, { errors: [{ field: 'body', message: problem }] });
  return parsed;
}
