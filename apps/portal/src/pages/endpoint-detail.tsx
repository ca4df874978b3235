import { api } from '../api';
import { ErrorAlert, Loading, PageHeading, useAction, useLoad } from '../components';
import { href, navigate } from '../router';
import type { Endpoint } from '../types';
import { DeliveryLog } from './delivery-log';
import { HealthPanel } from './health-panel';
import { SecretPanel } from './secret-panel';
import { TestPanel } from './test-panel';

const TABS = [['overview', 'Overview'], ['secret', 'Signing secret'], ['health', 'Health'], ['deliveries', 'Deliveries']] as const;
type Tab = (typeof TABS)[number][0];

export function EndpointDetail({ id, tab }: { id: string; tab: Tab }) {
  const endpoint = useLoad(() => api<Endpoint>('GET', `/v1/endpoints/${encodeURIComponent(id)}`), [id]);
  const action = useAction();
  const path = `/v1/endpoints/${encodeURIComponent(id)}`;

  async function setPaused(paused: boolean) {
    if (await action.run(() => api('POST', `${path}/${paused ? 'pause' : 'resume'}`, {}))) endpoint.reload();
  }
  async function remove() {
    if (!window.confirm('Delete this endpoint? Deliveries to it stop at once.')) return;
    const done = await action.run(async () => {
      await api('DELETE', path);
      return true;
    });
    if (done) navigate('endpoints');
  }

  if (!endpoint.data) return endpoint.error ? <ErrorAlert error={endpoint.error} /> : <Loading what="the endpoint" />;
  const data = endpoint.data;
  return (
    <section>
      <p><a href={href('endpoints')}>← All endpoints</a></p>
      <div class="page-head">
        <PageHeading><span class="url">{data.url || data.type}</span></PageHeading>
        <span class="tags">
          {data.paused ? <span class="badge badge-retrying">paused</span> : <span class="badge badge-succeeded">{data.active ? 'active' : 'disabled'}</span>}
        </span>
      </div>
      <nav class="tabs" aria-label="Endpoint sections">
        {TABS.map(([name, label]) => (
          <a key={name} href={href('endpoints', id, name)} aria-current={tab === name ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      <ErrorAlert error={action.error} />
      {tab === 'overview' && (
        <>
          <dl class="facts">
            <dt>Description</dt><dd>{data.description || '—'}</dd>
            <dt>Type</dt><dd>{data.type}</dd>
            <dt>Event types</dt><dd>{data.event_types?.join(', ') ?? 'all events'}</dd>
            <dt>Signature profile</dt><dd>{data.signature_profile}</dd>
            <dt>Retry schedule</dt><dd>{data.retry_schedule.map((seconds) => `${seconds}s`).join(', ') || 'none'}</dd>
            <dt>Rate limit</dt><dd>{data.rate_limit_per_s ? `${data.rate_limit_per_s}/s` : 'none'}</dd>
            <dt>Authentication</dt><dd>{data.auth ? `${data.auth.type}${data.auth.username ? ` (${data.auth.username})` : ''}` : 'none'}</dd>
            <dt>Filter</dt><dd>{data.filter ? <code>{JSON.stringify(data.filter)}</code> : 'none'}</dd>
            {data.disabled_reason && <><dt>Disabled because</dt><dd>{data.disabled_reason}</dd></>}
          </dl>
          <div class="actions">
            <a class="button" href={href('endpoints', id, 'edit')}>Edit</a>
            <button type="button" disabled={action.busy} onClick={() => setPaused(!data.paused)}>{data.paused ? 'Resume' : 'Pause'}</button>
            <button type="button" class="danger" disabled={action.busy} onClick={remove}>Delete</button>
          </div>
          <TestPanel endpointId={id} />
        </>
      )}
      {tab === 'secret' && <SecretPanel endpointId={id} />}
      {tab === 'health' && <HealthPanel endpointId={id} />}
      {tab === 'deliveries' && <DeliveryLog endpointId={id} />}
    </section>
  );
}
