/**
 * Raised instead of sending over plain http while HOOKS_ALLOW_HTTP is off. The API refuses such URLs,
 * but an endpoint stored while http was allowed keeps its URL after the operator turns http off.
 */
export class PlainHttpRefusedError extends Error {
  override readonly name = 'PlainHttpRefusedError';
  readonly code = 'ERR_PLAIN_HTTP_REFUSED';

  constructor(readonly origin: string) {
    super(`refusing to send to ${origin}: plain http is not allowed, only https (HOOKS_ALLOW_HTTP is off)`);
  }
}
