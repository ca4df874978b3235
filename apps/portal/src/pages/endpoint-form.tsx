import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ErrorAlert, Loading, PageHeading, useAction } from '../components';
import { href, navigate } from '../router';
import { ENDPOINT_TYPES, SIGNATURE_PROFILES, type Endpoint, type EndpointType, type SignatureProfile } from '../types';
import { AuthFields, type AuthState, EventTypePicker, type HeaderRow, HeadersEditor, ProviderFields, splitList } from './form-fields';

interface FormState {
  type: EndpointType;
  url: string;
  description: string;
  event_types: string[];
  filter: string;
  headers: HeaderRow[];
  auth: AuthState;
  provider: Record<string, string>;
  rate_limit_per_s: string;
  retry_schedule: string;
  signature_profile: SignatureProfile;
}

const blank = (editing: boolean): FormState => ({
  type: 'webhook', url: '', description: '', event_types: [], filter: '', headers: [],
  auth: { type: editing ? 'keep' : 'none', username: '', password: '', token: '' },
  provider: {}, rate_limit_per_s: '', retry_schedule: '', signature_profile: 'standard',
});

const fromEndpoint = (endpoint: Endpoint): FormState => ({
  ...blank(true),
  type: endpoint.type,
  url: endpoint.url,
  description: endpoint.description,
  event_types: endpoint.event_types ?? [],
  filter: endpoint.filter ? JSON.stringify(endpoint.filter, null, 2) : '',
  headers: Object.entries(endpoint.headers).map(([name, value]) => ({ name, value })),
  provider: { ...(endpoint.provider ?? {}) },
  rate_limit_per_s: endpoint.rate_limit_per_s?.toString() ?? '',
  retry_schedule: endpoint.retry_schedule.join(', '),
  signature_profile: endpoint.signature_profile,
});

/** A field the browser can check before asking the API: shown like the API's own field errors. */
const invalid = (field: string, message: string) => new ApiError({ status: 400, title: 'Please correct the form', errors: [{ field, message }] });

function toBody(form: FormState, editing: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { description: form.description };
  // No types means every event; an edit says so with the * wildcard.
  if (form.event_types.length) body.event_types = form.event_types;
  else if (editing) body.event_types = ['*'];
  if (form.type !== 'telegram' || form.url) body.url = form.url;
  if (!editing) {
    body.type = form.type;
    body.signature_profile = form.signature_profile;
  }
  if (form.filter.trim()) {
    try {
      body.filter = JSON.parse(form.filter);
    } catch {
      throw invalid('filter', 'must be valid JSON, e.g. {"amount": {"$gte": 1000}}');
    }
  } else if (editing) body.filter = null;
  body.headers = Object.fromEntries(form.headers.filter((row) => row.name.trim()).map((row) => [row.name.trim(), row.value]));
  if (form.auth.type === 'none') body.auth = null;
  if (form.auth.type === 'basic') body.auth = { type: 'basic', username: form.auth.username, password: form.auth.password };
  if (form.auth.type === 'bearer') body.auth = { type: 'bearer', token: form.auth.token };
  if (form.type !== 'webhook') body.provider = Object.fromEntries(Object.entries(form.provider).filter(([, value]) => value !== ''));
  if (form.rate_limit_per_s.trim()) body.rate_limit_per_s = Number(form.rate_limit_per_s);
  if (form.retry_schedule.trim()) {
    const schedule = splitList(form.retry_schedule).map(Number);
    if (schedule.some((value) => !Number.isInteger(value) || value < 0)) throw invalid('retry_schedule', 'must be whole numbers of seconds, comma-separated');
    body.retry_schedule = schedule;
  }
  return body;
}

export function EndpointForm({ id }: { id?: string }) {
  const editing = id !== undefined;
  const [form, setForm] = useState<FormState | null>(editing ? null : blank(false));
  const save = useAction();

  useEffect(() => {
    if (id) save.run(() => api<Endpoint>('GET', `/v1/endpoints/${encodeURIComponent(id)}`).then((endpoint) => setForm(fromEndpoint(endpoint))));
  }, [id]);

  if (!form) return save.error ? <ErrorAlert error={save.error} /> : <Loading what="the endpoint" />;
  const set = (change: Partial<FormState>) => setForm({ ...form, ...change });

  async function submit(event: Event) {
    event.preventDefault();
    const saved = await save.run(() => {
      const body = toBody(form as FormState, editing);
      return editing ? api<Endpoint>('PATCH', `/v1/endpoints/${encodeURIComponent(id)}`, body) : api<Endpoint>('POST', '/v1/endpoints', body);
    });
    if (saved) navigate('endpoints', saved.id);
  }

  return (
    <section>
      <PageHeading>{editing ? 'Edit endpoint' : 'Add endpoint'}</PageHeading>
      <form class="form" onSubmit={submit} noValidate>
        {!editing && (
          <label>
            Type
            <select value={form.type} onChange={(event) => set({ type: event.currentTarget.value as EndpointType, provider: {} })}>
              {ENDPOINT_TYPES.map((type) => <option key={type} value={type}>{type}</option>)}
            </select>
          </label>
        )}
        <label>
          {form.type === 'webhook' ? 'Endpoint URL' : `${form.type} webhook URL`}
          <input type="url" name="url" required={form.type !== 'telegram'} placeholder="https://example.com/webhooks" value={form.url} onInput={(event) => set({ url: event.currentTarget.value })} />
        </label>
        <label>
          Description
          <input name="description" maxLength={500} value={form.description} onInput={(event) => set({ description: event.currentTarget.value })} />
        </label>
        <EventTypePicker selected={form.event_types} onChange={(event_types) => set({ event_types })} />
        <ProviderFields type={form.type} values={form.provider} onChange={(provider) => set({ provider })} />
        <details>
          <summary>Advanced options</summary>
          {!editing && (
            <label>
              Signature profile
              <select value={form.signature_profile} onChange={(event) => set({ signature_profile: event.currentTarget.value as SignatureProfile })}>
                {SIGNATURE_PROFILES.map((profile) => <option key={profile} value={profile}>{profile}</option>)}
              </select>
            </label>
          )}
          <label>
            Filter (JSON conditions on the event data)
            <textarea name="filter" rows={4} placeholder='{"amount": {"$gte": 1000}}' value={form.filter} onInput={(event) => set({ filter: event.currentTarget.value })} />
          </label>
          <HeadersEditor rows={form.headers} onChange={(headers) => set({ headers })} />
          <AuthFields auth={form.auth} editing={editing} onChange={(auth) => set({ auth })} />
          <label>
            Rate limit (requests per second)
            <input type="number" inputMode="numeric" min={1} max={10000} value={form.rate_limit_per_s} onInput={(event) => set({ rate_limit_per_s: event.currentTarget.value })} />
          </label>
          <label>
            Retry schedule (seconds between attempts, comma-separated)
            <input placeholder="5, 300, 1800" value={form.retry_schedule} onInput={(event) => set({ retry_schedule: event.currentTarget.value })} />
          </label>
        </details>
        <ErrorAlert error={save.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={save.busy}>{save.busy ? 'Saving…' : editing ? 'Save changes' : 'Create endpoint'}</button>
          <a class="button" href={editing ? href('endpoints', id) : href('endpoints')}>Cancel</a>
        </div>
      </form>
    </section>
  );
}
