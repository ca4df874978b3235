import type { ReplayStatusFilter } from './replay-events';

/**
 * Re-deliver an endpoint's deliveries created in [since, until). The caller generates the id,
 * closes an open range at the request's time, counts the matching deliveries (`total`) and says
 * whether the endpoint takes deliveries (a disabled one would fail each without an attempt).
 */
export type RequestReplay = {
  type: 'RequestReplay';
  data: {
    replay_id: string;
    endpoint_id: string;
    tenant_id: string;
    endpoint_active: boolean;
    /** ISO-8601. */
    since: string;
    until: string;
    status: ReplayStatusFilter;
    total: number;
  };
};

/** The runner sent a page: `handled` deliveries ending at `cursor` (null for an empty page), `sent` of them dispatched; `last` when the page was short. */
export type DispatchReplayPage = {
  type: 'DispatchReplayPage';
  data: { cursor: string | null; handled: number; sent: number; last: boolean };
};

/** The endpoint was deleted while the replay ran: nothing more can be sent to it. */
export type CloseReplay = {
  type: 'CloseReplay';
  data: { reason: 'endpoint_deleted' };
};

export type ReplayCommand = RequestReplay | DispatchReplayPage | CloseReplay;
