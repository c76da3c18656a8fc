/*
 * Why Ant Design: the consoles this market's admins already use (private-cloud and CDN vendors in
 * China) are built on it, so its tables, forms and dialogs feel familiar; it ships zh_CN and en_US
 * locales for its own texts, a dark algorithm for theming, and a virtual Table that keeps a
 * 1,000-appliance fleet smooth. Its CSS-in-JS is why the CSP allows inline styles (index.html).
 */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { HashRouter } from 'react-router';
import type { TypedClient } from '../../../main/contract/transport';
import { ApiProvider, useSessionStatus } from '../api/api-context';
import { useLiveUpdates } from '../api/live-updates';
import type { Transport } from '../api/transport';
import { AppLayout } from './app-layout';
import { PreferencesProvider } from './preferences-provider';
import { SessionExpiredScreen } from './session-expired-screen';

function LiveUpdates() {
  useLiveUpdates();
  return null;
}

function SessionGate({ children }: { children: ReactNode }) {
  return useSessionStatus() === 'expired' ? <SessionExpiredScreen /> : children;
}

export interface AppRootProps {
  transport: Transport;
  client: TypedClient;
  queryClient: QueryClient;
}

/**
 * HashRouter, because the same build is opened from file:// in Electron (no server to rewrite
 * deep links) and from http:// by the headless host.
 */
export function AppRoot({ transport, client, queryClient }: AppRootProps) {
  return (
    <ApiProvider client={client} transport={transport}>
      <QueryClientProvider client={queryClient}>
        <LiveUpdates />
        <PreferencesProvider>
          <SessionGate>
            <HashRouter>
              <AppLayout />
            </HashRouter>
          </SessionGate>
        </PreferencesProvider>
      </QueryClientProvider>
    </ApiProvider>
  );
}
