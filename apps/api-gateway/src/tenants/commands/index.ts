import { CreateTenantHandler } from './create-tenant.handler';
import { DeleteTenantHandler } from './delete-tenant.handler';
import { EraseTenantHandler } from './erase-tenant.handler';
import { UpdateTenantHandler } from './update-tenant.handler';

export { CreateTenantCommand } from './create-tenant.command';
export { DeleteTenantCommand } from './delete-tenant.command';
export { EraseTenantCommand } from './erase-tenant.command';
export type { TenantErasure } from './erase-tenant.command';
export { UpdateTenantCommand } from './update-tenant.command';
export { tenantAggregate } from './tenant-aggregate';

/** Spread into the module's providers: CqrsModule finds them by their @CommandHandler. */
export const TenantCommandHandlers = [CreateTenantHandler, UpdateTenantHandler, DeleteTenantHandler, EraseTenantHandler];
