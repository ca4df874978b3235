import { useEffect, useState } from 'preact/hooks';
import { api, optional, authorize } from './api';
import { forgetToken, takeTokenFromLocation } from './session';
import { useRoute } from './router';
import type { Session } from './types';
import { EndpointList } from './pages/endpoint-list';
import { EndpointForm } from './pages/endpoint-form';
import { EndpointDetail } from './pages/endpoint-detail';
import { DeliveryDetail } from './pages/delivery-detail';

export function App() {
  const [token] = useState(takeTokenFromLocation);
  const [expired, setExpired] = useState(!token);
  const [session, setSession] = useState<Session | null>(null);
  if (token) authorize(token, () => {
    forgetToken();
    setExpired(true);
  });

  useEffect(() => {
    if (!token) return;
    // Older gateways have no session route: the portal then runs unbranded.
    optional(api<Session>('GET', '/v1/portal/session')).then(setSession, () => undefined);
  }, [token]);

  useEffect(() => {
    const accent = session?.branding?.accent_color;
    if (accent && /^#[0-9a-f]{3,8}$/i.test(accent)) document.documentElement.style.setProperty('--accent', accent);
    const name = session?.branding?.name;
    document.title = name ? `${name} — webhooks` : 'Webhooks portal';
  }, [session]);

  if (expired) return <ExpiredPage />;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        {session?.branding?.logo_url && <img class="logo" src={session.branding.logo_url} alt="" />}
        <span class="brand">{session?.branding?.name ?? 'Webhooks'}</span>
        <nav aria-label="Main">
          <a href="#/endpoints">Endpoints</a>
        </nav>
      </header>
      <main id="main">
        <Page />
      </main>
    </>
  );
}

function Page() {
  const route = useRoute();
  switch (route.page) {
    case 'new-endpoint':
      return <EndpointForm />;
    case 'edit-endpoint':
      return <EndpointForm id={route.id} />;
    case 'endpoint':
      return <EndpointDetail key={route.id} id={route.id} tab={route.tab} />;
    case 'delivery':
      return <DeliveryDetail key={route.id} id={route.id} />;
    default:
      return <EndpointList />;
  }
}

export function ExpiredPage() {
  useEffect(() => {
    document.title = 'Link expired';
  }, []);
  return (
    <main id="main" class="expired">
      <h1>This portal link has expired or was revoked</h1>
      <p>For your security, portal links work for a limited time. Ask the team that sent it to you for a new link.</p>
    </main>
  );
}
