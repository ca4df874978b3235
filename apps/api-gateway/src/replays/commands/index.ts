import { RequestReplayHandler } from './request-replay.handler';

export { RequestReplayCommand } from './request-replay.command';

/** Spread into the module's providers: CqrsModule finds them by their @CommandHandler. */
export const ReplayCommandHandlers = [RequestReplayHandler];
