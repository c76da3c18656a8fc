import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { MethodOutput } from '../../../main/contract/api.contract';
import type { FleetOverviewRow } from '../../../main/contract/metrics.contract';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

type FleetOverview = MethodOutput<'metrics.fleetOverview'>;
export type FleetOverviewIndex = ReadonlyMap<string, FleetOverviewRow>;

/** The collectors' round is ~10 s: the columns follow it; alert changes refetch at once (live-updates.ts). */
const REFRESH_MS = 10_000;

// One index per answer, shared by every cell (built on first use, dropped with the answer).
const indexes = new WeakMap<FleetOverview, FleetOverviewIndex>();
function indexOf(d: FleetOverview): FleetOverviewIndex {
  let index = indexes.get(d);
  if (!index) indexes.set(d, (index = new Map(d.appliances.map((r) => [r.applianceId, r]))));
  return index;
}

function useOverviewQuery<T>(select: (d: FleetOverview) => T) {
  const client = useApiClient();
  return useQuery({ queryKey: queryKeys.fleetOverview, queryFn: () => client.call('metrics.fleetOverview', {}), select, refetchInterval: REFRESH_MS, staleTime: REFRESH_MS / 2 });
}

/**
 * One appliance's row, for a cell that follows it by itself (like useStatusOf): react-query keeps
 * unchanged rows' identity across answers, so only cells whose figures changed re-render.
 */
export function useFleetOverviewOf(id: string): FleetOverviewRow | undefined {
  return useOverviewQuery(useCallback((d: FleetOverview) => indexOf(d).get(id), [id])).data;
}

/** Rows as they are now, read when the table sorts (the order does not jump as figures change). */
export function useFleetOverviewSnapshot(): () => FleetOverviewIndex | undefined {
  const queryClient = useQueryClient();
  return useCallback(() => {
    const d = queryClient.getQueryData<FleetOverview>(queryKeys.fleetOverview);
    return d ? indexOf(d) : undefined;
  }, [queryClient]);
}
