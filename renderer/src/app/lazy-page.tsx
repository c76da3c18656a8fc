import { lazy, type ComponentType } from 'react';

export interface LazyPage {
  Page: ComponentType;
  /** Starts loading the page's code; resolves once it can render without suspending. */
  preload(): Promise<void>;
}

/** Attempts at a page's code before the page shows its error, and the waits between them. */
const RETRY_DELAYS_MS = [300, 1000, 3000];

/** Bumped by a person pressing Retry on a page error (retryFailedPages): only then is a failed page loaded again. */
let retryGeneration = 0;
export function retryFailedPages(): void {
  retryGeneration += 1;
}

/**
 * React.lazy plus preloading. A page whose code was preloaded (the landing page, fetched in
 * parallel with the first API calls) renders at once instead of suspending for one more commit,
 * which React.lazy alone would do even for a module that is already loaded.
 *
 * Loading survives a network blip: a failed chunk is fetched again (after 0.3 s, 1 s and 3 s),
 * since a browser fails requests in flight when the network changes (a laptop moving between Wi-Fi
 * and a 5G hotspot, a VPN coming up: net::ERR_NETWORK_CHANGED). If it still fails, the page's
 * error boundary shows Retry; pressing it (retryFailedPages) gives the page a fresh React.lazy,
 * whose own cache would otherwise keep the failure. Not before: React re-renders once after an
 * error, and a fresh loader then would start over instead of showing the error.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  let loaded: ComponentType | null = null;
  let loading: Promise<{ default: ComponentType }> | null = null;
  let failedAt: number | null = null;
  const attempt = async (): Promise<{ default: ComponentType }> => {
    for (let i = 0; ; i++) {
      try {
        return await load();
      } catch (err) {
        if (i >= RETRY_DELAYS_MS.length) throw err;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i]));
      }
    }
  };
  const loadOnce = (): Promise<{ default: ComponentType }> =>
    (loading ??= attempt().then(
      (module) => {
        loaded = module.default;
        return module;
      },
      (err: unknown) => {
        loading = null;
        failedAt = retryGeneration;
        throw err;
      },
    ));
  let LazyComponent = lazy(loadOnce);
  function Page() {
    if (failedAt !== null && retryGeneration > failedAt) {
      failedAt = null;
      LazyComponent = lazy(loadOnce);
    }
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <LazyComponent />;
  }
  return { Page, preload: () => loadOnce().then(() => undefined) };
}
