import { CreateSourceHandler } from './create-source.handler';
import { DeleteSourceHandler } from './delete-source.handler';
import { RotateSourceSecretHandler } from './rotate-source-secret.handler';
import { UpdateSourceHandler } from './update-source.handler';

export { CreateSourceCommand } from './create-source.command';
export { DeleteSourceCommand } from './delete-source.command';
export { RotateSourceSecretCommand } from './rotate-source-secret.command';
export { UpdateSourceCommand } from './update-source.command';

/** Spread into the module's providers: CqrsModule finds the handlers by their @CommandHandler. */
export const SourceCommandHandlers = [CreateSourceHandler, UpdateSourceHandler, DeleteSourceHandler, RotateSourceSecretHandler];
