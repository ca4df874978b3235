import { CreateEndpointHandler } from './create-endpoint.handler';
import { DeleteEndpointHandler } from './delete-endpoint.handler';
import { DisableEndpointHandler } from './disable-endpoint.handler';
import { EnableEndpointHandler } from './enable-endpoint.handler';
import { EndpointActivation } from './endpoint-activation';
import { EndpointKeyIssuer } from './endpoint-key-issuer';
import { PauseEndpointHandler } from './pause-endpoint.handler';
import { ResumeEndpointHandler } from './resume-endpoint.handler';
import { RotateEndpointSecretHandler } from './rotate-endpoint-secret.handler';
import { UpdateEndpointHandler } from './update-endpoint.handler';

export { CreateEndpointCommand } from './create-endpoint.command';
export type { CreatedEndpoint } from './create-endpoint.command';
export { DeleteEndpointCommand } from './delete-endpoint.command';
export { DisableEndpointCommand } from './disable-endpoint.command';
export { EnableEndpointCommand } from './enable-endpoint.command';
export { PauseEndpointCommand } from './pause-endpoint.command';
export { ResumeEndpointCommand } from './resume-endpoint.command';
export { RotateEndpointSecretCommand } from './rotate-endpoint-secret.command';
export { UpdateEndpointCommand } from './update-endpoint.command';

/** Spread into the module's providers: CqrsModule finds the handlers by their @CommandHandler. */
export const EndpointCommandHandlers = [
  CreateEndpointHandler, UpdateEndpointHandler, DeleteEndpointHandler, RotateEndpointSecretHandler,
  DisableEndpointHandler, EnableEndpointHandler, PauseEndpointHandler, ResumeEndpointHandler,
  EndpointKeyIssuer, EndpointActivation,
];
