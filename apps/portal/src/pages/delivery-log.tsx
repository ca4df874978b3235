import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api';
import { Empty, ErrorAlert, Loading, StatusBadge, useAction, when } from '../components';
import { href } from '../router';
import { DELIVERY_STATUSES, type Delivery, type Page } from '../types';

interface Filters { status: string; event_type: string; since: string; until: string }

/** datetime-local gives local wall time without a zone; the API wants ISO-8601 instants. */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const [filters, setFilters] = useState<Filters>({ status: '', event_type: '', since: '', until: '' });
  const [applied, setApplied] = useState(filters);
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useAction();

  async function fetchPage(from: string | null, append: boolean) {
    const page = await load.run(() => api<Page<Delivery>>('GET', `/v1/deliveries${query({
      endpoint_id: endpointId, status: applied.status, event_type: applied.event_type, since: iso(applied.since), until: iso(applied.until), limit: '25', cursor: from ?? undefined,
    })}`));
    if (!page) return;
    setRows((previous) => (append && previous ? [...previous, ...page.data] : page.data));
    setCursor(page.next_cursor);
  }
  useEffect(() => {
    fetchPage(null, false);
  }, [endpointId, applied]);

  return (
    <section class="panel" aria-labelledby="log-title">
      <h2 id="log-title">Deliveries</h2>
      <form class="form filters" onSubmit={(event) => { event.preventDefault(); setApplied(filters); }}>
        <label>
          Status
          <select value={filters.status} onChange={(event) => setFilters({ ...filters, status: event.currentTarget.value })}>
            <option value="">Any</option>
            {DELIVERY_STATUSES.map((status) => <option key={status} value={status}>{status}</option>)}
          </select>
        </label>
        <label>Event type <input value={filters.event_type} onInput={(event) => setFilters({ ...filters, event_type: event.currentTarget.value })} /></label>
        <label>From <input type="datetime-local" value={filters.since} onInput={(event) => setFilters({ ...filters, since: event.currentTarget.value })} /></label>
        <label>To <input type="datetime-local" value={filters.until} onInput={(event) => setFilters({ ...filters, until: event.currentTarget.value })} /></label>
        <button type="submit">Apply filters</button>
      </form>
      <ErrorAlert error={load.error} />
      {load.busy && !rows && <Loading what="deliveries" />}
      {rows && rows.length === 0 && <Empty><p>No deliveries match. Send a test event to see one here.</p></Empty>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Deliveries to this endpoint, newest first</caption>
            <thead><tr><th scope="col">Created</th><th scope="col">Event type</th><th scope="col">Status</th><th scope="col">Code</th><th scope="col">Attempts</th></tr></thead>
            <tbody>
              {rows.map((delivery) => (
                <tr key={delivery.id}>
                  <td><a href={href('deliveries', delivery.id)}>{when(delivery.created_at)}</a></td>
                  <td>{delivery.event_type}</td>
                  <td><StatusBadge status={delivery.status} /></td>
                  <td>{delivery.status_code ?? '—'}</td>
                  <td>{delivery.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" disabled={load.busy} onClick={() => fetchPage(cursor, true)}>Load more</button>}
      <ReplayForm endpointId={endpointId} />
    </section>
  );
}

/** Sends every failed delivery since a time again (POST /v1/endpoints/:id/replay). */
function ReplayForm({ endpointId }: { endpointId: string }) {
  const [since, setSince] = useState('');
  const [started, setStarted] = useState<{ total: number } | null>(null);
  const replay = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const answer = await replay.run(() => api<{ total: number }>('POST', `/v1/endpoints/${encodeURIComponent(endpointId)}/replay`, { since: iso(since), status: 'failed' }));
    if (answer) setStarted(answer);
  }
  return (
    <form class="form inline" onSubmit={submit} aria-labelledby="replay-title">
      <h3 id="replay-title">Replay failed deliveries</h3>
      <label>Since <input type="datetime-local" required value={since} onInput={(event) => setSince(event.currentTarget.value)} /></label>
      <button type="submit" disabled={replay.busy || !since}>Replay failures</button>
      <ErrorAlert error={replay.error} />
      {started && <p class="alert alert-success" role="status">Replay started: {started.total} deliveries will be sent again.</p>}
    </form>
  );
}
