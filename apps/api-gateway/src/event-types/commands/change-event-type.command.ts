import { Command } from '@nestjs/cqrs';

/** PATCH /v1/event-types/:name: only the fields given change; `archived` false restores. */
export class ChangeEventTypeCommand extends Command<void> {
  constructor(
    readonly name: string,
    readonly changes: { readonly description?: string; readonly schema?: Record<string, unknown> | null; readonly archived?: boolean },
    readonly actor: string,
  ) {
    super();
  }
}
