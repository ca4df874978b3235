import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorAlert, useAction, when } from '../components';
import type { EndpointSecret, SignatureProfile } from '../types';
import { verificationSnippet } from './snippets';

const GRACE_PERIODS = [[0, 'None: the current secret stops now'], [3600, '1 hour'], [86_400, '24 hours'], [604_800, '7 days']] as const;

/** The signing secret stays hidden until asked for; rotation keeps the old one signing for a grace period. */
export function SecretPanel({ endpointId }: { endpointId: string }) {
  const [secret, setSecret] = useState<EndpointSecret | null>(null);
  const [grace, setGrace] = useState(86_400);
  const [rotated, setRotated] = useState(false);
  const action = useAction();
  const path = `/v1/endpoints/${encodeURIComponent(endpointId)}/secret`;

  async function reveal() {
    const answer = await action.run(() => api<EndpointSecret>('GET', path));
    if (answer) setSecret(answer);
  }
  async function rotate(event: Event) {
    event.preventDefault();
    if (!window.confirm('Rotate the signing secret? Update your receiver before the grace period ends.')) return;
    const answer = await action.run(() => api<EndpointSecret>('POST', `${path}/rotate`, { grace_period_s: grace }));
    if (answer) {
      setSecret(answer);
      setRotated(true);
    }
  }

  const key = secret?.secret ?? secret?.public_key;
  return (
    <section class="panel" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p class="hint">Every request we send is signed; verify it with this secret before trusting the payload.</p>
      {!secret && <button type="button" disabled={action.busy} onClick={reveal}>Reveal secret</button>}
      {secret && (
        <div aria-live="polite">
          {rotated && <p class="alert alert-success" role="status">The secret was rotated. The previous one keeps signing until its expiry below.</p>}
          <label for="current-secret">{secret.public_key ? 'Public key' : 'Secret'} ({secret.signature_profile})</label>
          <input id="current-secret" class="mono" readOnly value={key} onFocus={(event) => event.currentTarget.select()} />
          {secret.previous.length > 0 && (
            <>
              <h3>Still signing during the grace period</h3>
              <ul>
                {secret.previous.map((previous, index) => (
                  <li key={index}><code>{(previous.secret ?? previous.public_key ?? '').slice(0, 12)}…</code> until {when(previous.expires_at)}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <form class="form inline" onSubmit={rotate}>
        <label>
          Grace period
          <select value={grace} onChange={(event) => setGrace(Number(event.currentTarget.value))}>
            {GRACE_PERIODS.map(([seconds, label]) => <option key={seconds} value={seconds}>{label}</option>)}
          </select>
        </label>
        <button type="submit" disabled={action.busy}>Rotate secret</button>
      </form>
      <ErrorAlert error={action.error} />
      {secret && <Snippet profile={secret.signature_profile} />}
    </section>
  );
}

function Snippet({ profile }: { profile: SignatureProfile }) {
  return (
    <>
      <h3>Verify in Node.js ({profile})</h3>
      <pre class="code" tabIndex={0} aria-label={`Verification code for ${profile}`}><code>{verificationSnippet(profile)}</code></pre>
    </>
  );
}
