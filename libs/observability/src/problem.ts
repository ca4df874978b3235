import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainRuleError } from '@hookledger/domain';
import { ConcurrencyError } from '@hookledger/event-store';

/** An RFC 9457 problem document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** Field-level problems: which input was wrong and why. */
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
  readonly [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Thrown by our code to answer with a problem document. */
export class ProblemException extends HttpException {
  constructor(status: number, detail: string, extensions: Record<string, unknown> = {}) {
    super({ detail, ...extensions }, status);
  }
}

export function problem(status: number, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const title = TITLES[status] ?? HttpStatus[status] ?? 'Error';
  return { type: `https://hookledger.dev/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`, title, status, detail, ...extensions };
}

const DOMAIN_RULE_STATUS: Record<DomainRuleError['kind'], number> = { not_found: 404, forbidden: 403, conflict: 409, invalid: 422 };

/** A command's refusal by the domain's rules, or a lost race for a stream, as the API answers it. */
function commandProblem(exception: unknown, instance: string | undefined): Problem | null {
  if (exception instanceof DomainRuleError) {
    const errors = exception.field ? { errors: [{ field: exception.field, message: exception.message }] } : {};
    return problem(DOMAIN_RULE_STATUS[exception.kind], exception.message, { instance, ...errors });
  }
  if (exception instanceof ConcurrencyError) {
    return problem(409, 'It was changed by another request at the same moment; read it again and retry.', { instance });
  }
  return null;
}

/**
 * Every error leaves the API as application/problem+json. Body-parser failures (broken JSON, too
 * large) arrive here with a `status`/`type`, bare or as an HttpException's cause; anything
 * unexpected is logged and answered 500 without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const body = this.toProblem(exception, request);
    if (body.status >= 500) this.logger.error({ msg: 'request failed', path: request.path, err: exception });
    if (response.headersSent) return;
    const retryAfter = body['retry_after'];
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, request: Request): Problem {
    const instance = request.originalUrl?.split('?')[0];
    // Nest wraps body-parser's errors in an HttpException; the original's type says what was wrong.
    const bodyParser = (exception instanceof HttpException && exception.cause !== undefined ? exception.cause : exception) as
      { type?: string; status?: number; expose?: boolean; message?: string; limit?: number } | undefined;
    if (bodyParser?.type === 'entity.parse.failed') return problem(400, 'The request body is not valid JSON.', { instance });
    if (bodyParser?.type === 'entity.too.large') return problem(413, `The request body exceeds the limit of ${bodyParser.limit} bytes.`, { instance });
    const refused = commandProblem(exception, instance);
    if (refused) return refused;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      if (typeof payload === 'string') return problem(status, payload, { instance });
      const { detail, message, error: _error, statusCode: _statusCode, ...rest } = payload as Record<string, unknown>;
      const text = typeof detail === 'string' ? detail : Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : TITLES[status] ?? 'Error';
      return problem(status, text, { instance, ...rest });
    }
    if (bodyParser?.expose && typeof bodyParser.status === 'number' && bodyParser.status < 500) {
      return problem(bodyParser.status, bodyParser.message ?? 'Bad request', { instance });
    }
    return problem(500, 'An unexpected error occurred; it has been logged.', { instance });
  }
}
