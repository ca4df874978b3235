import { ArchiveEventTypeHandler } from './archive-event-type.handler';
import { ChangeEventTypeHandler } from './change-event-type.handler';
import { CreateEventTypeHandler } from './create-event-type.handler';

export { ArchiveEventTypeCommand } from './archive-event-type.command';
export { ChangeEventTypeCommand } from './change-event-type.command';
export { CreateEventTypeCommand } from './create-event-type.command';

/** Spread into the module's providers: CqrsModule finds them by their @CommandHandler. */
export const EventTypeCommandHandlers = [CreateEventTypeHandler, ChangeEventTypeHandler, ArchiveEventTypeHandler];
