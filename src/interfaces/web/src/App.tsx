import { Fragment, useCallback, useEffect, useState } from 'react';
import { api, ApiError, setCsrfToken, type SessionInfo, type User } from './api.ts';
import { ToastProvider, useToast } from './components/Toasts.tsx';
import { ENGINE_NAV, enginePageFor } from './engine/engine-pages.tsx';
import { navigate, usePathname } from './navigation.ts';
import { announceOAuthResult, isAuthorizationPopup, takeOAuthResultFromUrl } from './oauth-result.ts';
import { DestinationsPage } from './pages/DestinationsPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { SetupPage } from './pages/SetupPage.tsx';
import { TokensPage } from './pages/TokensPage.tsx';

type Phase = { kind: 'loading' } | { kind: 'setup' } | { kind: 'login' } | { kind: 'ready'; user: User } | { kind: 'down'; message: string };

export function App() {
  return (
    <ToastProvider>
      <Shell />
    </ToastProvider>
  );
}

function Shell() {
  const toast = useToast();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  const signedIn = useCallback((session: SessionInfo) => {
    setCsrfToken(session.csrfToken);
    setPhase({ kind: 'ready', user: session.user });
  }, []);

  useEffect(() => {
    const result = takeOAuthResultFromUrl();
    if (result && isAuthorizationPopup()) {
      announceOAuthResult(result);
      window.close();
    }
    // Still here (not a popup, or the browser refused to close it): show the result in this window.
    if (result) setTimeout(() => toast(result.ok ? 'success' : 'error', result.message), 0);
    void (async () => {
      try {
        const setup = await api<{ needed: boolean }>('GET', '/api/setup');
        if (setup.needed) return setPhase({ kind: 'setup' });
        signedIn(await api<SessionInfo>('GET', '/api/session'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return setPhase({ kind: 'login' });
        setPhase({ kind: 'down', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  }, [signedIn, toast]);

  const signOut = async () => {
    try {
      await api('DELETE', '/api/session');
    } finally {
      setCsrfToken('');
      setPhase({ kind: 'login' });
    }
  };

  if (phase.kind === 'loading') return <main className="centered">Loading…</main>;
  if (phase.kind === 'down') return <main className="centered error-text">{phase.message}</main>;
  if (phase.kind === 'setup') {
    // First run: the first thing to set up is where backups go.
    return <SetupPage onDone={(session) => { navigate('/destinations'); signedIn(session); }} />;
  }
  if (phase.kind === 'login') return <LoginPage onDone={signedIn} />;
  return <Layout user={phase.user} onSignOut={signOut} />;
}

function Layout({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const pathname = usePathname();
  const enginePage = enginePageFor(pathname);
  const page = enginePage?.nav ?? (pathname.startsWith('/settings/tokens') ? 'tokens' : 'destinations');
  const link = (path: string, label: string, active: boolean) => (
    <a
      href={path}
      className={active ? 'active' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );
  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">DBackup</span>
        <nav>
          {ENGINE_NAV.map((entry) => <Fragment key={entry.path}>{link(entry.path, entry.label, page === entry.path)}</Fragment>)}
          {link('/destinations', 'Destinations', page === 'destinations')}
          {link('/settings/tokens', 'API tokens', page === 'tokens')}
        </nav>
        <span className="user">
          {user.username}
          <button type="button" className="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main className="content">{enginePage ? enginePage.render() : page === 'tokens' ? <TokensPage /> : <DestinationsPage />}</main>
    </div>
  );
}
