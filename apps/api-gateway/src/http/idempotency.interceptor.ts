import { applyDecorators, CallHandler, ExecutionContext, HttpStatus, Injectable, Logger, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import type { Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { ProblemException } from '@hookledger/observability';
import { SecretCipher, sealedAt } from '@hookledger/secrets';
import { actorOf, AuthenticatedRequest } from '../auth/principal';
import { IDEMPOTENCY_HEADER, idempotencyKeyProblem, REPLAYED_HEADER, requestHash } from './idempotency-key';
import { IdempotencyRecord, IdempotencyRepository, IdempotencyRequest } from './idempotency.repository';

const NATURALLY_IDEMPOTENT = 'hookledger:naturally-idempotent';
/** Marks the operation in the OpenAPI document; mountOpenApi reads and removes it. */
export const NATURALLY_IDEMPOTENT_EXTENSION = 'x-naturally-idempotent';

/**
 * For a POST that creates nothing, so asking twice is harmless (enable, pause, verify a
 * signature): the Idempotency-Key header is ignored and not documented. Every other POST honours it.
 */
export const NaturallyIdempotent = () =>
  applyDecorators(SetMetadata(NATURALLY_IDEMPOTENT, true), ApiExtension(NATURALLY_IDEMPOTENT_EXTENSION, true));

/**
 * `Idempotency-Key` on every POST, Stripe's way: the first request with a key runs and its 2xx
 * answer is kept for 24 h and replayed (with `Idempotent-Replayed: true`) to a retry of the same
 * request. A retry while the first still runs gets 409; the key reused for another request, 422.
 * Error answers are not kept: a 4xx changed nothing and a 5xx may have been transient, so the
 * key is released and the client's retry runs afresh.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly reflector: Reflector, private readonly keys: IdempotencyRepository, private readonly cipher: SecretCipher) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    if (request.method !== 'POST' || header === undefined || this.reflector.get<boolean>(NATURALLY_IDEMPOTENT, context.getHandler())) {
      return next.handle();
    }
    const key = Array.isArray(header) ? header.join(', ') : header;
    const problem = idempotencyKeyProblem(key);
    if (problem) throw new ProblemException(HttpStatus.BAD_REQUEST, problem, { errors: [{ field: IDEMPOTENCY_HEADER, message: problem }] });

    const path = request.originalUrl.split('?')[0];
    const claim: IdempotencyRequest = {
      scope: request.principal ? actorOf(request.principal) : 'public',
      key,
      method: request.method,
      path,
      requestHash: requestHash(request.method, path, request.body),
    };
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const response = context.switchToHttp().getResponse<Response>();
    return from(this.run(claim, status, response, next));
  }

  private async run(request: IdempotencyRequest, status: number, response: Response, next: CallHandler): Promise<unknown> {
    // Two rounds: a live row seen by the claim can expire before it is read back.
    for (let round = 0; round < 2; round++) {
      const token = await this.keys.claim(request);
      if (token !== null) return this.firstRun(request, token, status, next);
      const existing = await this.keys.find(request.scope, request.key);
      if (existing) return this.replay(request, existing, response);
    }
    throw inProgress();
  }

  private async firstRun(request: IdempotencyRequest, token: string, status: number, next: CallHandler): Promise<unknown> {
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.keys.release(request.scope, request.key, token).catch((err) => this.logger.error({ msg: 'idempotency key not released', err }));
      throw error;
    }
    // The work is done: an answer that could not be kept is still the right answer to give. The
    // row stays in progress and is treated as abandoned later.
    await this.keys.complete(request.scope, request.key, token, status, this.cipher.seal(JSON.stringify(body ?? null), sealedAt.idempotentAnswer(request.scope, request.key)))
      .catch((err) => this.logger.error({ msg: 'idempotent answer not stored', err }));
    return body;
  }

  private replay(request: IdempotencyRequest, existing: IdempotencyRecord, response: Response): unknown {
    if (existing.request_hash !== request.requestHash) {
      const first = existing.method === request.method && existing.path === request.path ? 'the same route with a different body' : `${existing.method} ${existing.path}`;
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY,
        `This ${IDEMPOTENCY_HEADER} was already used for another request (${first}); use a new key for a new request.`,
        { errors: [{ field: IDEMPOTENCY_HEADER, message: 'already used for another request' }] });
    }
    if (existing.state !== 'completed' || existing.response_status === null || existing.response_body === null) throw inProgress();
    response.status(existing.response_status);
    response.setHeader(REPLAYED_HEADER, 'true');
    return JSON.parse(this.cipher.open(existing.response_body.sealed, sealedAt.idempotentAnswer(request.scope, request.key)));
  }
}

const inProgress = () =>
  new ProblemException(HttpStatus.CONFLICT, `A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry once it has finished.`, {
    retry_after: 1,
  });
