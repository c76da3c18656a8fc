import { hashKey, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import type { ApplianceStatus } from '../../../main/contract/status.contract';
import type { TypedClient } from '../../../main/contract/transport';
import { useApiClient } from './api-context';
import { cachedData, querySubscription } from './query-entry';
import { queryKeys } from './query-keys';
import { putStatuses, toMap, type EventsPage, type InventoryAnswer, type StatusMap } from './status-cache';

export { prependEvent, putStatuses, subscribeStatusUpdates, type EventsPage, type InventoryAnswer, type StatusMap } from './status-cache';

export const EVENTS_PAGE_SIZE = 50;

/**
 * Every appliance's last-known status in one query, as a map by id. Fetched once; afterwards
 * `status.list` events (subscribeStatusUpdates) patch it in place of refetching.
 */
function statusQuery(client: TypedClient) {
  return queryOptions({
    queryKey: queryKeys.statusAll,
    queryFn: async (): Promise<StatusMap> => toMap((await client.call('status.list', {})).statuses),
    // Events keep it current; a refetch would only repeat what they said.
    staleTime: Infinity,
  });
}

export function useFleetStatuses() {
  return useQuery(statusQuery(useApiClient()));
}

/**
 * Fetches the status map and keeps it subscribed, without re-rendering the caller when it changes:
 * the Fleet table mounts this once, and only the status cells in view (useStatusOf) re-render.
 */
export function useFleetStatusesLoaded(): void {
  useQuery({ ...statusQuery(useApiClient()), notifyOnChangeProps: [] });
}

const STATUS_HASH = hashKey(queryKeys.statusAll);

/**
 * One appliance's status from the map, re-rendering only when that entry changes (a new object for
 * it), not when any of the other 999 do. For table cells: one cache listener for all of them
 * (query-entry.ts), and a read per render that neither hashes a key nor builds a query result.
 */
export function useStatusOf(id: string): ApplianceStatus | undefined {
  const queryClient = useQueryClient();
  return useSyncExternalStore(querySubscription(queryClient, STATUS_HASH), () => cachedData<StatusMap>(queryClient, STATUS_HASH)?.get(id));
}

/** The current map (for a sorter, read when the table sorts; undefined while loading). */
export function useStatusSnapshot(): () => StatusMap | undefined {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.getQueryData<StatusMap>(queryKeys.statusAll), [queryClient]);
}

/** One appliance's status from the same map (null: not checked yet). */
export function useApplianceStatus(id: string) {
  return useQuery({ ...statusQuery(useApiClient()), select: (map: StatusMap) => map.get(id) ?? null });
}

/** The appliance's inventory as last kept (no round trip to the machine); `useRefreshInventory` asks it. */
export function useApplianceInventory(id: string) {
  const client = useApiClient();
  return useQuery({
    queryKey: queryKeys.inventory(id),
    queryFn: (): Promise<InventoryAnswer> => client.call('status.inventory', { id, refresh: false }),
  });
}

/** Asks the agent for a fresh inventory; when it cannot answer, the kept one comes back with `staleReason`. */
export function useRefreshInventory(id: string) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (): Promise<InventoryAnswer> => client.call('status.inventory', { id, refresh: true }),
    onSuccess: (answer) => queryClient.setQueryData(queryKeys.inventory(id), answer),
  });
}

/** The appliance's events, newest first, a page per "load more"; live ones are prepended by subscribeStatusUpdates. */
export function useApplianceEvents(id: string) {
  const client = useApiClient();
  return useInfiniteQuery({
    queryKey: queryKeys.applianceEvents(id),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }): Promise<EventsPage> => client.call('status.events', { id, limit: EVENTS_PAGE_SIZE, ...(pageParam === undefined ? {} : { before: pageParam }) }),
    getNextPageParam: (last) => last.next ?? undefined,
    // Live events keep the first page current; refetching every page would only repeat them.
    staleTime: Infinity,
  });
}

/** Checks one appliance now; the answer goes straight into the status map. */
export function useCheckNow() {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string): Promise<ApplianceStatus> => client.call('status.checkNow', { id }),
    onSuccess: (status) => putStatuses(queryClient, [status]),
  });
}
