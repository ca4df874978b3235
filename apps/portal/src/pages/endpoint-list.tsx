import { api } from '../api';
import { Empty, ErrorAlert, Loading, PageHeading, useLoad } from '../components';
import { href } from '../router';
import type { Endpoint, Page } from '../types';

export function EndpointList() {
  const endpoints = useLoad(() => api<Page<Endpoint>>('GET', '/v1/endpoints?limit=250'));
  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <PageHeading>Endpoints</PageHeading>
        <a class="button primary" href={href('endpoints', 'new')}>Add endpoint</a>
      </div>
      <ErrorAlert error={endpoints.error} />
      {endpoints.loading && !endpoints.data && <Loading what="endpoints" />}
      {endpoints.data && endpoints.data.data.length === 0 && (
        <Empty>
          <h2>No endpoints yet</h2>
          <p>An endpoint is a URL of yours that receives our events as signed HTTP requests.</p>
          <a class="button primary" href={href('endpoints', 'new')}>Add your first endpoint</a>
        </Empty>
      )}
      {endpoints.data && endpoints.data.data.length > 0 && (
        <ul class="cards" aria-label="Your endpoints">
          {endpoints.data.data.map((endpoint) => (
            <li key={endpoint.id} class="card">
              <a class="card-link" href={href('endpoints', endpoint.id)}>
                <span class="url">{endpoint.url || endpoint.type}</span>
              </a>
              <span class="muted">{endpoint.description || 'No description'}</span>
              <span class="tags">
                <span class="badge">{endpoint.type}</span>
                {!endpoint.active && <span class="badge badge-failed">disabled</span>}
                {endpoint.paused && <span class="badge badge-retrying">paused</span>}
                <span class="badge">{endpoint.event_types?.join(', ') ?? 'all events'}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
