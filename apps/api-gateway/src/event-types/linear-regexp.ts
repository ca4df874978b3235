import type { RegExpEngine } from 'ajv/dist/types';
import { RE2JS } from 're2js';

/**
 * Ajv's regular-expression engine for schema `pattern`s and `patternProperties`: RE2 (the pure-JS
 * port), which matches in time linear in the input whatever the pattern, where V8's backtracking
 * engine can take exponential time (`^([a-z0-9]+)*$`). RE2 has no lookaround or backreferences: a
 * schema using them fails to compile, and the API refuses it naming the pattern. Ajv passes the flag
 * `u`; RE2 always reads patterns as Unicode.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string) => {
    const compiled = RE2JS.compile(pattern);
    return { test: (input: string) => compiled.test(input), toString: () => `re2:${pattern}` };
  },
  { code: 'RE2JS' },
);
