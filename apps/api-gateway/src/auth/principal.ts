import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who is calling: recorded as the actor in the metadata of every event a request appends. */
export interface Principal {
  readonly keyId: string;
  readonly role: 'admin';
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('no principal on an authenticated route');
  return principal;
});

export function actorOf(principal: Principal): string {
  return `api-key:${principal.keyId}`;
}
