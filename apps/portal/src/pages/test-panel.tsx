import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorAlert, useAction } from '../components';
import { href } from '../router';
import type { Attempt, Page, TestResult } from '../types';

/** Sends a webhook.test event now and shows the receiver's answer to its first attempt. */
export function TestPanel({ endpointId }: { endpointId: string }) {
  const [result, setResult] = useState<TestResult | null>(null);
  const [body, setBody] = useState<string | null>(null);
  const send = useAction();
  async function run() {
    const answer = await send.run(() => api<TestResult>('POST', `/v1/endpoints/${encodeURIComponent(endpointId)}/test`, {}));
    if (!answer) return;
    setResult(answer);
    // The test answer has no body; the attempt it names keeps the first 4 KiB of it.
    const attempts = await send.run(() => api<Page<Attempt>>('GET', `/v1/deliveries/${encodeURIComponent(answer.delivery_id)}/attempts?limit=100`));
    setBody(attempts?.data.find((attempt) => attempt.id === answer.attempt_id)?.response_body ?? null);
  }
  return (
    <section class="panel" aria-labelledby="test-title">
      <h2 id="test-title">Send a test event</h2>
      <p class="hint">Sends a signed <code>webhook.test</code> event to this endpoint and shows its answer.</p>
      <button type="button" class="primary" disabled={send.busy} onClick={run}>{send.busy ? 'Sending…' : 'Send test event'}</button>
      <ErrorAlert error={send.error} />
      <div aria-live="polite">
        {result && (
          <div class={`alert ${result.success ? 'alert-success' : 'alert-error'}`} role="status" data-testid="test-result">
            <strong>{result.success ? 'Delivered' : 'Failed'}</strong>
            <dl class="facts">
              <dt>Status</dt><dd>{result.status_code ?? 'no answer'}</dd>
              <dt>Time</dt><dd>{result.response_time_ms} ms</dd>
              {result.error && <><dt>Error</dt><dd>{result.error}</dd></>}
            </dl>
            {body !== null && <><p class="hint">Response body</p><pre class="code" tabIndex={0} aria-label="Response body"><code>{body || '(empty)'}</code></pre></>}
            <a href={href('deliveries', result.delivery_id)}>See the delivery and its attempts</a>
          </div>
        )}
      </div>
    </section>
  );
}
