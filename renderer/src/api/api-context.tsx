import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { TypedClient } from '../../../main/contract/transport';
import type { LinkStatus, SessionStatus, Transport } from './transport';

interface ApiContextValue {
  client: TypedClient;
  transport: Transport;
}

const ApiContext = createContext<ApiContextValue | null>(null);

/** Hands the client built in main.tsx to every hook below it (no module-level client). */
export function ApiProvider({ client, transport, children }: ApiContextValue & { children: ReactNode }) {
  return <ApiContext.Provider value={{ client, transport }}>{children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApiClient must be used inside <ApiProvider>');
  return value;
}

export function useApiClient(): TypedClient {
  return useApiContext().client;
}

export function useLinkStatus(): LinkStatus {
  const { link } = useApiContext().transport;
  return useSyncExternalStore(link.subscribe, link.get);
}

export function useSessionStatus(): SessionStatus {
  const { session } = useApiContext().transport;
  return useSyncExternalStore(session.subscribe, session.get);
}
