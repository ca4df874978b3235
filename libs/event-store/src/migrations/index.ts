import { EventStore1732400000000 } from './1732400000000-event-store';
import { Projections1732400000001 } from './1732400000001-projections';
import { EndpointHealth1732400000002 } from './1732400000002-endpoint-health';
import { VerifyStreamHead1732400000003 } from './1732400000003-verify-stream-head';
import { EndpointOptions1732400000004 } from './1732400000004-endpoint-options';
import { DeliveryListIndex1732400000011 } from './1732400000011-delivery-list-index';
import { Tenancy1732400000012 } from './1732400000012-tenancy';
import { EventIdsPerTenant1732400000013 } from './1732400000013-event-ids-per-tenant';
import { AdhocExpiry1732400000015 } from './1732400000015-adhoc-expiry';
import { SubscriptionIndexChanges1732400000016 } from './1732400000016-subscription-index-changes';
import { EventTypesProjection1732400000020 } from './1732400000020-event-types-projection';
import { TenancyProjections1732400000025 } from './1732400000025-tenancy-projections';
import { EndpointKeys1732400000030 } from './1732400000030-endpoint-keys';
import { MessageDeliveryProjections1732400000035 } from './1732400000035-message-delivery-projections';
import { ReplaysStream1732400000040 } from './1732400000040-replays-stream';
import { EndpointCircuitEvents1732400000045 } from './1732400000045-endpoint-circuit-events';
import { MessagePayloadBytes1732400000050 } from './1732400000050-message-payload-bytes';
import { SetBasedAppend1732400000055 } from './1732400000055-set-based-append';
import { LedgerCheckpoints1732400000060 } from './1732400000060-ledger-checkpoints';
import { LeastPrivilege1732400000061 } from './1732400000061-least-privilege';
import { TenantDataKeys1732400000062 } from './1732400000062-tenant-data-keys';
import { SealedPayloads1732400000063 } from './1732400000063-sealed-payloads';
import { DeliveryHistory1732400000064 } from './1732400000064-delivery-history';
import { SealLegacyPayloads1732400000069 } from './1732400000069-seal-legacy-payloads';
import { ChatProviders1732400000070 } from './1732400000070-chat-providers';
import { Sources1732400000075 } from './1732400000075-sources';
import { TenantBranding1732400000085 } from './1732400000085-tenant-branding';
import { AppChainedAppend1732400000090 } from './1732400000090-app-chained-append';
import { SlimEventsTypeIndex1732400000091 } from './1732400000091-slim-events-type-index';

/** Every migration, in order. Listed explicitly: the apps are bundled, so no file globbing. */
export const migrations = [
  EventStore1732400000000, Projections1732400000001, EndpointHealth1732400000002, VerifyStreamHead1732400000003,
  EndpointOptions1732400000004,
  DeliveryListIndex1732400000011, Tenancy1732400000012,
  EventIdsPerTenant1732400000013, AdhocExpiry1732400000015, SubscriptionIndexChanges1732400000016,
  EventTypesProjection1732400000020,
  TenancyProjections1732400000025,
  EndpointKeys1732400000030,
  MessageDeliveryProjections1732400000035,
  ReplaysStream1732400000040,
  EndpointCircuitEvents1732400000045,
  MessagePayloadBytes1732400000050,
  SetBasedAppend1732400000055,
  LedgerCheckpoints1732400000060,
  LeastPrivilege1732400000061,
  TenantDataKeys1732400000062,
  SealedPayloads1732400000063,
  DeliveryHistory1732400000064,
  SealLegacyPayloads1732400000069,
  ChatProviders1732400000070,
  Sources1732400000075,
  TenantBranding1732400000085,
  AppChainedAppend1732400000090,
  SlimEventsTypeIndex1732400000091,
];
