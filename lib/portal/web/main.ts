/** The portal's single page: a header, and the page the URL's hash names (`#/`, `#/t/<tenant>`, `#/onboard`). */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getSession, type Session } from './api.ts';
import { html } from './html.ts';
import { DlqPage } from './pages/dlq.ts';
import { OnboardPage } from './pages/onboard.ts';
import { OverviewPage } from './pages/overview.ts';
import { ReplayPage } from './pages/replay.ts';
import { TenantPage } from './pages/tenant.ts';

interface Route {
  path: string[];
  query: URLSearchParams;
}

function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = hash.split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

function Page({ route }: { route: Route }) {
  const [first, tenant, sub] = route.path;
  if (first === 't' && tenant && sub === 'dlq') return html`<${DlqPage} tenant=${tenant} />`;
  if (first === 't' && tenant && sub === 'replay') return html`<${ReplayPage} tenant=${tenant} />`;
  if (first === 't' && tenant)
    return html`<${TenantPage} name=${tenant} focus=${route.query.get('focus') ?? undefined} />`;
  if (first === 'onboard') return html`<${OnboardPage} tenant=${route.query.get('tenant') ?? undefined} />`;
  return html`<${OverviewPage} />`;
}

function App() {
  const [route, setRoute] = useState(currentRoute());
  const [session, setSession] = useState<Session | undefined>();
  useEffect(() => {
    const onHash = () => {
      setRoute(currentRoute());
      // A new page: move focus to it, as a page load would.
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', onHash);
    void getSession().then(setSession);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const here = route.path[0] ?? '';
  const link = (href: string, label: string, active: boolean) =>
    html`<a href=${href} aria-current=${active ? 'page' : undefined}>${label}</a>`;
  return html`
    <header class="top">
      <a class="brand" href="#/">Stratus</a>
      <nav aria-label="Main">${link('#/', 'Overview', here === '')}${link('#/onboard', 'Onboard', here === 'onboard')}</nav>
      ${session ? html`<span class="mode">${session.project} · ${session.writes ? (session.authenticated ? 'writes allowed' : 'sign in to write') : 'read-only'}</span>` : null}
    </header>
    <main id="main" tabindex="-1"><${Page} route=${route} /></main>`;
}

const root = document.getElementById('app')!;
root.textContent = '';
render(html`<${App} />`, root);
