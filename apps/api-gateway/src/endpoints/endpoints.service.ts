import { HttpStatus, Injectable } from '@nestjs/common';
import { HookledgerConfig } from '@hookledger/config';
import { keyKindOf, newId, validatePayloadFilter } from '@hookledger/domain';
import { ProblemException } from '@hookledger/observability';
import { SecretCipher, sealedAt } from '@hookledger/secrets';
import { changeMetadata, Principal } from '../auth/principal';
import { TenantScope } from '../auth/tenant-scope';
import { TenantsService } from '../tenants/tenants.service';
import { CreatedEndpointResource, CreateEndpointDto, EndpointAuthDto, EndpointResource, UpdateEndpointDto } from './endpoint.dto';
import { EndpointProjection, EndpointRow, SealedAuth } from '@hookledger/event-store';
import { authView, ENDPOINT_FIELDS, toEndpointResource } from './endpoint-row';
import { checkDestinationUrl } from './destination-url';
import { refuseCredentialHeaders } from './custom-headers';
import { EndpointSecretService } from './endpoint-secret.service';
import { EndpointStateService } from './endpoint-state.service';
import type { EndpointQuery } from './endpoint-query';
import { notFound } from '../http/not-found';

@Injectable()
export class EndpointsService {
  constructor(
    private readonly endpoints: EndpointProjection,
    private readonly cipher: SecretCipher,
    private readonly state: EndpointStateService,
    private readonly secrets: EndpointSecretService,
    private readonly config: HookledgerConfig,
    private readonly scope: TenantScope,
    private readonly tenants: TenantsService,
  ) {}

  async create(input: CreateEndpointDto, principal: Principal): Promise<CreatedEndpointResource> {
    checkDestinationUrl(input.url, 'url', this.config);
    checkFilter(input.filter);
    refuseCredentialHeaders(input.headers);
    const id = newId('ep');
    const key = this.secrets.issue(id, input.signature_profile ?? 'standard', input.secret);
    const fields = {
      url: input.url,
      description: input.description ?? '',
      event_types: normaliseList(input.event_types),
      active: input.active ?? true,
      headers: input.headers ?? {},
      retry_schedule: input.retry_schedule ?? null,
      timeout_ms: input.timeout_ms ?? null,
      rate_limit_per_s: input.rate_limit_per_s ?? null,
      channels: normaliseList(input.channels),
      metadata: input.metadata ?? {},
      filter: input.filter ?? null,
      payload_format: input.payload_format ?? 'envelope',
      signature_profile: input.signature_profile ?? 'standard',
    };
    const auth = this.sealAuth(id, input.auth);
    const tenantId = this.scope.tenantForNew(principal, input.tenant_id);
    const row = await this.endpoints.transaction(async (tx) => {
      await this.tenants.admitEndpoint(tx, tenantId);
      return this.endpoints.insert(
        tx,
        { id, tenant_id: tenantId, ...fields, auth, secrets: [key.stored] },
        // Secrets never enter the ledger: events are kept for years and read by auditors.
        { type: 'EndpointCreated', data: { id, tenant_id: tenantId, ...fields, auth: authView(auth) }, metadata: changeMetadata(principal, tenantId) },
      );
    });
    return { ...toEndpointResource(row, this.config), ...key.shown };
  }

  async get(id: string): Promise<EndpointResource> {
    return toEndpointResource(await this.require(id), this.config);
  }

  async list(query: EndpointQuery, principal: Principal, before: string | null, limit: number): Promise<EndpointRow[]> {
    return this.endpoints.list({ before, tenantId: this.scope.listTenant(principal, query.tenant_id), active: query.active, eventType: query.event_type }, limit);
  }

  async update(id: string, input: UpdateEndpointDto, principal: Principal): Promise<EndpointResource> {
    if (input.url !== undefined) checkDestinationUrl(input.url, 'url', this.config);
    checkFilter(input.filter);
    refuseCredentialHeaders(input.headers);
    const row = await this.endpoints.transaction(async (tx) => {
      const current = await this.endpoints.lock(tx, id);
      if (!current) throw notFound('endpoint', id);
      if (input.signature_profile !== undefined && keyKindOf(input.signature_profile) !== keyKindOf(current.signature_profile)) {
        throw keyKindChange(current.signature_profile, input.signature_profile);
      }
      const changes: Record<string, unknown> = {};
      for (const field of ENDPOINT_FIELDS) {
        const value = input[field];
        if (value === undefined) continue;
        changes[field] = field === 'event_types' || field === 'channels' ? normaliseList(value as string[]) : value;
      }
      if (changes.active === current.active) delete changes.active;
      const next: EndpointRow = { ...current, ...changes };
      if (input.auth !== undefined) {
        next.auth = this.sealAuth(id, input.auth);
        changes.auth = authView(next.auth);
      }
      if (changes.active === true) next.disabled_reason = null;
      if (changes.active === false) next.disabled_reason = 'disabled by an operator';
      const updated = await this.endpoints.update(tx, current, next, { type: 'EndpointUpdated', data: { id, changes }, metadata: changeMetadata(principal, current.tenant_id) });
      if (changes.active !== undefined) await this.state.activationChanged(tx, id, next.active, next.disabled_reason);
      return updated;
    });
    return toEndpointResource(row, this.config);
  }

  async remove(id: string, principal: Principal): Promise<void> {
    await this.endpoints.transaction(async (tx) => {
      const current = await this.endpoints.lock(tx, id);
      if (!current) throw notFound('endpoint', id);
      await this.endpoints.delete(tx, current, {
        type: 'EndpointDeleted', data: { id }, metadata: changeMetadata(principal, current.tenant_id),
      });
    });
  }

  /** Seals the password or token; answers and events only ever see the type and user name. */
  private sealAuth(endpointId: string, auth: EndpointAuthDto | null | undefined): SealedAuth | null {
    if (!auth) return null;
    const at = sealedAt.endpointAuth(endpointId);
    if (auth.type === 'basic') return { type: 'basic', username: auth.username ?? '', sealed: this.cipher.seal(auth.password ?? '', at) };
    if (auth.username !== undefined || auth.password !== undefined) throw invalid('auth', 'username and password are for basic auth; bearer takes a token');
    return { type: 'bearer', sealed: this.cipher.seal(auth.token ?? '', at) };
  }

  private async require(id: string): Promise<EndpointRow> {
    const row = await this.endpoints.find(id);
    if (!row) throw notFound('endpoint', id);
    return row;
  }
}

const normaliseList = (values: string[] | undefined): string[] | null => (values && values.length > 0 ? [...new Set(values)] : null);


/** Between HMAC profiles the secret carries over; to or from standard-ed25519 the key itself must change. */
const keyKindChange = (from: string, to: string) =>
  new ProblemException(HttpStatus.CONFLICT, `signature_profile: ${from} and ${to} sign with different kinds of key; rotate the secret with {"signature_profile": "${to}"} instead (POST /v1/endpoints/:id/secret/rotate).`, {
    errors: [{ field: 'signature_profile', message: `changing from ${from} to ${to} needs a new key: rotate the secret with this signature_profile` }],
  });

/**
 * A payload filter is refused naming the exact spot, e.g. `filter.amount.$gte`: 400 when it is not a
 * filter, 422 when it is one whose match could cost more than ingest allows (object operands, limits).
 */
function checkFilter(filter: Record<string, unknown> | null | undefined): void {
  if (filter === undefined || filter === null) return;
  const result = validatePayloadFilter(filter);
  if (result.valid) return;
  if (result.refusal === 'cost') {
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `${result.field}: ${result.reason}`, { errors: [{ field: result.field, message: result.reason }] });
  }
  throw invalid(result.field, result.reason);
}

const invalid = (field: string, message: string) =>
  new ProblemException(HttpStatus.BAD_REQUEST, `${field}: ${message}`, { errors: [{ field, message }] });
