import { ENDPOINT_STREAM_TYPE, EndpointCommand, endpointDecider, EndpointEvent, EndpointState, readEndpointEvent } from '@hookledger/domain';
import type { Aggregate } from './aggregate-repository';

/**
 * How the store runs an endpoint's commands. Shared by every app that changes endpoints (the API,
 * the scheduler's disabler and ad-hoc expiry), so all of them decide by the same rules.
 */
export const endpointAggregate: Aggregate<EndpointCommand, EndpointState, EndpointEvent> = {
  streamType: ENDPOINT_STREAM_TYPE,
  decider: endpointDecider,
  read: readEndpointEvent,
};
