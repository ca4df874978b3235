import { HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '@hookledger/observability';

export const MAX_JSON_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first reason a parsed body or query is refused: nested too deep, a key that reaches for a
 * prototype, or a NUL character (Postgres cannot store one in text or jsonb).
 */
export function inputProblem(input: unknown, name: string): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: input, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string' && value.includes('\u0000')) return `The ${name} must not contain NUL characters (at ${path || 'the top'}).`;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `The ${name} is nested deeper than ${MAX_JSON_DEPTH} levels.`;
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return `The ${name} must not contain the key "${key}" (at ${at}).`;
      if (key.includes('\u0000')) return `The ${name} must not contain NUL characters (in a key at ${path || 'the top'}).`;
      stack.push({ value: child, depth: depth + 1, path: at });
    }
  }
  return null;
}

/**
 * Runs before validation: class-transformer copies input recursively (a deep body overflows the
 * stack), assigns `__proto__` keys (swapping a copied object's prototype) and silently drops
 * `constructor`, so a whitelist never sees it.
 */
@Injectable()
export class RequestInputMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    const problem = /%00/.test(request.originalUrl.split('?')[0]) ? 'The request path must not contain NUL characters.'
      : inputProblem(request.query, 'query') ?? inputProblem(request.body, 'request body');
    next(problem ? new ProblemException(HttpStatus.BAD_REQUEST, problem) : undefined);
  }
}
