import { HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '@hookledger/observability';

/** A body that is not JSON is refused up front, instead of surfacing later as "field missing". */
@Injectable()
export class JsonContentTypeMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && ['POST', 'PUT', 'PATCH'].includes(request.method) && !request.is(['application/json', 'application/*+json'])) {
      return next(new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'The request body must be JSON (Content-Type: application/json).'));
    }
    next();
  }
}
