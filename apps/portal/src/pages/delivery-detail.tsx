import { api } from '../api';
import { Empty, ErrorAlert, Loading, PageHeading, StatusBadge, useAction, useLoad, when } from '../components';
import { href } from '../router';
import type { Attempt, Delivery, Page } from '../types';

export function DeliveryDetail({ id }: { id: string }) {
  const path = `/v1/deliveries/${encodeURIComponent(id)}`;
  const delivery = useLoad(() => api<Delivery>('GET', path), [id]);
  const attempts = useLoad(() => api<Page<Attempt>>('GET', `${path}/attempts?limit=100`), [id]);
  const retry = useAction();

  async function retryNow() {
    if (await retry.run(() => api('POST', `${path}/retry`, {}))) {
      delivery.reload();
      attempts.reload();
    }
  }

  if (!delivery.data) return delivery.error ? <ErrorAlert error={delivery.error} /> : <Loading what="the delivery" />;
  const data = delivery.data;
  return (
    <section>
      <p><a href={href('endpoints', data.endpoint_id, 'deliveries')}>← Deliveries of this endpoint</a></p>
      <PageHeading>Delivery of {data.event_type}</PageHeading>
      <dl class="facts">
        <dt>Status</dt><dd><StatusBadge status={data.status} /></dd>
        <dt>Event</dt><dd><code>{data.event_id}</code></dd>
        <dt>Created</dt><dd>{when(data.created_at)}</dd>
        {data.next_attempt_at && <><dt>Next attempt</dt><dd>{when(data.next_attempt_at)}</dd></>}
      </dl>
      <div class="actions">
        <button type="button" disabled={retry.busy} onClick={retryNow}>Retry now</button>
        <button type="button" onClick={() => { delivery.reload(); attempts.reload(); }}>Refresh</button>
      </div>
      <ErrorAlert error={retry.error ?? attempts.error} />
      <h2>Attempts</h2>
      {attempts.data && attempts.data.data.length === 0 && <Empty><p>No attempts yet: the first one is on its way.</p></Empty>}
      <ol class="attempts" aria-label="Attempts">
        {attempts.data?.data.map((attempt) => (
          <li key={attempt.id} class="card">
            <h3>Attempt {attempt.attempt} <span class="muted">({attempt.trigger})</span></h3>
            <dl class="facts">
              <dt>Started</dt><dd>{when(attempt.started_at)}</dd>
              <dt>Status</dt><dd>{attempt.status_code ?? 'no answer'} <span class="muted">{attempt.outcome}</span></dd>
              <dt>Duration</dt><dd>{attempt.duration_ms} ms</dd>
              {attempt.error && <><dt>Error</dt><dd>{attempt.error}</dd></>}
            </dl>
            {attempt.response_body !== null && (
              <details>
                <summary>Response body</summary>
                <pre class="code" tabIndex={0}><code>{attempt.response_body || '(empty)'}</code></pre>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
