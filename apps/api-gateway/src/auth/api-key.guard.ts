import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HookledgerConfig } from '@hookledger/config';
import { ProblemException } from '@hookledger/observability';
import { AuthenticatedRequest } from './principal';
import { PUBLIC_ROUTE } from '@hookledger/observability';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer API-key authentication. Keys are compared as SHA-256 digests in constant time, so
 * neither the key's length nor its prefix leaks through timing.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly adminKeyDigest: Buffer | null;

  constructor(private readonly reflector: Reflector, config: HookledgerConfig) {
    this.adminKeyDigest = config.api.adminApiKey ? digest(config.api.adminApiKey) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw unauthorized('Missing Authorization header; send "Authorization: Bearer <api key>".');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <api key>".');
    if (this.adminKeyDigest && timingSafeEqual(digest(match[1]), this.adminKeyDigest)) {
      request.principal = { keyId: 'admin', role: 'admin' };
      return true;
    }
    throw unauthorized('The API key is not valid.');
  }
}

function unauthorized(detail: string): ProblemException {
  const error = new ProblemException(HttpStatus.UNAUTHORIZED, detail);
  return error;
}
