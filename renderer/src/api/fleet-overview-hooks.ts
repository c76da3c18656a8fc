import { hashKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import type { MethodOutput } from '../../../main/contract/api.contract';
import type { FleetOverviewRow } from '../../../main/contract/metrics.contract';
import { useApiClient } from './api-context';
import { cachedData, querySubscription } from './query-entry';
import { queryKeys } from './query-keys';

type FleetOverview = MethodOutput<'metrics.fleetOverview'>;
export type FleetOverviewIndex = ReadonlyMap<string, FleetOverviewRow>;

/** The collectors' round is ~10 s: the columns follow it; alert changes refetch at once (live-updates.ts). */
const REFRESH_MS = 10_000;
const OVERVIEW_HASH = hashKey(queryKeys.fleetOverview);

// One index per answer, shared by every cell (built on first use, dropped with the answer).
const indexes = new WeakMap<FleetOverview, FleetOverviewIndex>();
function indexOf(d: FleetOverview): FleetOverviewIndex {
  let index = indexes.get(d);
  if (!index) indexes.set(d, (index = new Map(d.appliances.map((r) => [r.applianceId, r]))));
  return index;
}

/**
 * Fetches the overview and polls it while the table is shown, without re-rendering the caller when
 * it changes: the Fleet table mounts this once, and the cells in view follow their own row
 * (useFleetOverviewOf).
 */
export function useFleetOverviewLoaded(): void {
  const client = useApiClient();
  useQuery({ queryKey: queryKeys.fleetOverview, queryFn: () => client.call('metrics.fleetOverview', {}), refetchInterval: REFRESH_MS, staleTime: REFRESH_MS / 2, notifyOnChangeProps: [] });
}

/**
 * One appliance's row, for a cell that follows it by itself (like useStatusOf): react-query keeps
 * unchanged rows' identity across answers, so only cells whose figures changed re-render. It reads
 * the cache that useFleetOverviewLoaded keeps filled.
 */
export function useFleetOverviewOf(id: string): FleetOverviewRow | undefined {
  const queryClient = useQueryClient();
  return useSyncExternalStore(querySubscription(queryClient, OVERVIEW_HASH), () => {
    const d = cachedData<FleetOverview>(queryClient, OVERVIEW_HASH);
    return d ? indexOf(d).get(id) : undefined;
  });
}

/** Rows as they are now, read when the table sorts (the order does not jump as figures change). */
export function useFleetOverviewSnapshot(): () => FleetOverviewIndex | undefined {
  const queryClient = useQueryClient();
  return useCallback(() => {
    const d = queryClient.getQueryData<FleetOverview>(queryKeys.fleetOverview);
    return d ? indexOf(d) : undefined;
  }, [queryClient]);
}
