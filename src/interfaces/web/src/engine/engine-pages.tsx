/**
 * The backup engine's pages and where they live in the navigation. App.tsx asks `enginePageFor`
 * which page a path shows and renders `ENGINE_NAV` links; everything else stays in App.tsx.
 */
import type { ReactNode } from 'react';
import { DashboardPage } from './DashboardPage.tsx';
import './engine.css';
import { ExplorerPage } from './ExplorerPage.tsx';
import { JobsPage } from './JobsPage.tsx';
import { NotificationsPage } from './NotificationsPage.tsx';
import { ProfilesPage } from './ProfilesPage.tsx';
import { RestoreDetailPage } from './RestoreDetailPage.tsx';
import { RestoresPage } from './RestoresPage.tsx';
import { RunDetailPage } from './RunDetailPage.tsx';
import { RunsPage } from './RunsPage.tsx';
import { SourcesPage } from './SourcesPage.tsx';

export interface EnginePage {
  /** Nav entry this page belongs to (highlighted). */
  nav: string;
  render: () => ReactNode;
}

/** Links in the top bar, in order; `/` is the dashboard (the home page after sign-in). */
export const ENGINE_NAV: { path: string; label: string }[] = [
  { path: '/', label: 'Dashboard' },
  { path: '/jobs', label: 'Jobs' },
  { path: '/runs', label: 'Runs' },
  { path: '/storage', label: 'Storage' },
  { path: '/restores', label: 'Restores' },
  { path: '/sources', label: 'Sources' },
  { path: '/profiles', label: 'Encryption' },
  { path: '/notifications', label: 'Notifications' },
];

export function enginePageFor(pathname: string): EnginePage | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { nav: '/', render: () => <DashboardPage /> };
  if (path === '/jobs') return { nav: '/jobs', render: () => <JobsPage /> };
  if (path === '/runs') return { nav: '/runs', render: () => <RunsPage key={window.location.search} /> };
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) {
    const runId = decodeURIComponent(run[1]!);
    return { nav: '/runs', render: () => <RunDetailPage key={runId} runId={runId} /> };
  }
  if (path === '/storage') return { nav: '/storage', render: () => <ExplorerPage /> };
  if (path === '/restores') return { nav: '/restores', render: () => <RestoresPage key={window.location.search} /> };
  const restore = /^\/restores\/([^/]+)$/.exec(path);
  if (restore) {
    const restoreId = decodeURIComponent(restore[1]!);
    return { nav: '/restores', render: () => <RestoreDetailPage key={restoreId} restoreId={restoreId} /> };
  }
  if (path === '/sources') return { nav: '/sources', render: () => <SourcesPage /> };
  if (path === '/profiles') return { nav: '/profiles', render: () => <ProfilesPage /> };
  if (path === '/notifications') return { nav: '/notifications', render: () => <NotificationsPage /> };
  return undefined;
}
