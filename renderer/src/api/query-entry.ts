import { hashKey, type QueryClient, type QueryKey } from '@tanstack/react-query';

/*
 * Table cells that follow one entry of a cached query (one appliance's status, its overview row)
 * read it through useSyncExternalStore with these, instead of a query observer each: a scroll step
 * re-renders the cells of the rows that came into view, and an observer per cell (options merged,
 * the key hashed, the result rebuilt on every render) cost more than the cell itself.
 */

type Listener = () => void;

interface Hub {
  listeners: Set<Listener>;
  unsubscribe: (() => void) | null;
  subscribe(listener: Listener): () => void;
}

const hubs = new WeakMap<QueryClient, Map<string, Hub>>();

/**
 * A subscribe function for one query of `queryClient`, stable across calls (React keeps the
 * subscription while it is the same function): one query-cache listener for every cell, calling
 * them back when that query is added, updated or removed.
 */
export function querySubscription(queryClient: QueryClient, queryHash: string): (listener: Listener) => () => void {
  let byHash = hubs.get(queryClient);
  if (!byHash) hubs.set(queryClient, (byHash = new Map()));
  let hub = byHash.get(queryHash);
  if (!hub) {
    const created: Hub = {
      listeners: new Set(),
      unsubscribe: null,
      subscribe(listener) {
        created.listeners.add(listener);
        created.unsubscribe ??= queryClient.getQueryCache().subscribe((event) => {
          if (event.query.queryHash !== queryHash) return;
          for (const l of [...created.listeners]) l();
        });
        return () => {
          created.listeners.delete(listener);
          if (created.listeners.size === 0 && created.unsubscribe) {
            created.unsubscribe();
            created.unsubscribe = null;
          }
        };
      },
    };
    byHash.set(queryHash, (hub = created));
  }
  return hub.subscribe;
}

/** The query's data as cached (no key hashing per read: cells read it on every render). */
export function cachedData<T>(queryClient: QueryClient, queryHash: string): T | undefined {
  return queryClient.getQueryCache().get(queryHash)?.state.data as T | undefined;
}

export const queryHashOf = (key: QueryKey): string => hashKey(key);
