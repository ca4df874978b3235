/**
 * Command payloads carried over JetStream. They are versioned: a consumer refuses (terms) a
 * version it does not know instead of guessing. Field names are snake_case like the public API.
 */

/** `<ns>.cmd.ingest` (from the API) and `<ns>.in.<type>` (from internal services). msgID = `id`. */
export interface IngestCommand {
  readonly v: 1;
  /** The message id: the publisher's dedup key when given, otherwise generated (`msg_…`). */
  readonly id: string;
  readonly type: string;
  /** ISO-8601 time the event was accepted. */
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
  readonly tenant_id?: string | null;
  readonly channels?: readonly string[] | null;
}

/** `<ns>.cmd.dispatch`. msgID = `<delivery_id>:<attempt>`, so a re-published retry is deduplicated. */
export interface DispatchCommand {
  readonly v: 1;
  readonly delivery_id: string;
  /** The attempt number this command asks for (1 = first). A stale duplicate is acked and skipped. */
  readonly attempt: number;
  /** Why the attempt happens: the normal flow or a person asking for it. */
  readonly trigger: 'scheduled' | 'manual';
}

export function dispatchMessageId(command: Pick<DispatchCommand, 'delivery_id' | 'attempt' | 'trigger'>): string {
  return `${command.delivery_id}:${command.attempt}${command.trigger === 'manual' ? ':manual' : ''}`;
}
