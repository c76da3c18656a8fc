import { lazy, type ComponentType } from 'react';

export interface LazyPage {
  Page: ComponentType;
  /** Starts loading the page's code; resolves once it can render without suspending. */
  preload(): Promise<void>;
}

/**
 * React.lazy plus preloading. A page whose code was preloaded (the landing page, fetched in
 * parallel with the first API calls) renders at once instead of suspending for one more commit,
 * which React.lazy alone would do even for a module that is already loaded.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  let loaded: ComponentType | null = null;
  let loading: Promise<{ default: ComponentType }> | null = null;
  const loadOnce = (): Promise<{ default: ComponentType }> =>
    (loading ??= load().then((module) => {
      loaded = module.default;
      return module;
    }));
  const LazyComponent = lazy(loadOnce);
  function Page() {
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <LazyComponent />;
  }
  return { Page, preload: () => loadOnce().then(() => undefined) };
}
