import { api } from '../api';
import { useLoad } from '../components';
import type { EndpointType, EventType, Page } from '../types';

/** Event types from the tenant's catalog as checkboxes, plus free names and wildcards (invoice.*). */
export function EventTypePicker({ selected, onChange }: { selected: string[]; onChange: (types: string[]) => void }) {
  const catalog = useLoad(() => api<Page<EventType>>('GET', '/v1/event-types?limit=250'));
  const known = (catalog.data?.data ?? []).filter((type) => !type.archived_at).map((type) => type.name);
  const others = selected.filter((name) => !known.includes(name));
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((entry) => entry !== name));
  return (
    <fieldset>
      <legend>Event types</legend>
      <p class="hint" id="event-types-hint">Leave all unticked and empty to receive every event.</p>
      {known.length > 0 && (
        <div class="checks">
          {known.map((name) => (
            <label key={name} class="check">
              <input type="checkbox" checked={selected.includes(name)} onChange={(event) => toggle(name, event.currentTarget.checked)} />
              {name}
            </label>
          ))}
        </div>
      )}
      <label for="other-event-types">Other types or wildcards, comma-separated</label>
      <input
        id="other-event-types" aria-describedby="event-types-hint" placeholder="invoice.*, customer.created" value={others.join(', ')}
        onChange={(event) => onChange([...selected.filter((name) => known.includes(name)), ...splitList(event.currentTarget.value)])}
      />
    </fieldset>
  );
}

export const splitList = (text: string) => text.split(',').map((part) => part.trim()).filter(Boolean);

export type HeaderRow = { name: string; value: string };

export function HeadersEditor({ rows, onChange }: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void }) {
  const update = (index: number, change: Partial<HeaderRow>) => onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  return (
    <fieldset>
      <legend>Custom headers</legend>
      {rows.length === 0 && <p class="hint">No custom headers.</p>}
      {rows.map((row, index) => (
        <div class="row" key={index}>
          <label>Name <input value={row.name} onInput={(event) => update(index, { name: event.currentTarget.value })} /></label>
          <label>Value <input value={row.value} onInput={(event) => update(index, { value: event.currentTarget.value })} /></label>
          <button type="button" class="link" aria-label={`Remove header ${row.name || index + 1}`} onClick={() => onChange(rows.filter((_, at) => at !== index))}>Remove</button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { name: '', value: '' }])}>Add header</button>
    </fieldset>
  );
}

const PROVIDER_FIELDS: Record<Exclude<EndpointType, 'webhook'>, { name: string; label: string; secret?: boolean }[]> = {
  slack: [{ name: 'channel', label: 'Channel (e.g. #alerts)' }, { name: 'username', label: 'Bot name' }, { name: 'icon_emoji', label: 'Icon emoji' }],
  discord: [{ name: 'username', label: 'Bot name' }, { name: 'avatar_url', label: 'Avatar URL' }],
  telegram: [{ name: 'bot_token', label: 'Bot token', secret: true }, { name: 'chat_id', label: 'Chat id' }],
};

export function ProviderFields({ type, values, onChange }: { type: EndpointType; values: Record<string, string>; onChange: (values: Record<string, string>) => void }) {
  if (type === 'webhook') return null;
  return (
    <fieldset>
      <legend>{type} options</legend>
      {PROVIDER_FIELDS[type].map((field) => (
        <label key={field.name}>
          {field.label}
          {field.secret
            ? <input type="password" autocomplete="off" placeholder="unchanged unless filled in" value={values[field.name] ?? ''} onInput={(event) => onChange({ ...values, [field.name]: event.currentTarget.value })} />
            : <input type="text" value={values[field.name] ?? ''} onInput={(event) => onChange({ ...values, [field.name]: event.currentTarget.value })} />}
        </label>
      ))}
    </fieldset>
  );
}

export type AuthState = { type: 'keep' | 'none' | 'basic' | 'bearer'; username: string; password: string; token: string };

export function AuthFields({ auth, editing, onChange }: { auth: AuthState; editing: boolean; onChange: (auth: AuthState) => void }) {
  return (
    <fieldset>
      <legend>Authentication sent to your endpoint</legend>
      <label>
        Type
        <select value={auth.type} onChange={(event) => onChange({ ...auth, type: event.currentTarget.value as AuthState['type'] })}>
          {editing && <option value="keep">Keep the current setting</option>}
          <option value="none">None</option>
          <option value="basic">Basic (user name and password)</option>
          <option value="bearer">Bearer token</option>
        </select>
      </label>
      {auth.type === 'basic' && (
        <div class="row">
          <label>User name <input autocomplete="off" value={auth.username} onInput={(event) => onChange({ ...auth, username: event.currentTarget.value })} /></label>
          <label>Password <input type="password" autocomplete="new-password" value={auth.password} onInput={(event) => onChange({ ...auth, password: event.currentTarget.value })} /></label>
        </div>
      )}
      {auth.type === 'bearer' && (
        <label>Token <input type="password" autocomplete="off" value={auth.token} onInput={(event) => onChange({ ...auth, token: event.currentTarget.value })} /></label>
      )}
    </fieldset>
  );
}
