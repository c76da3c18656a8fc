import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodOutput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';

/** Keys under one prefix per appliance, so a self-test refreshes that appliance's disks only. */
export const monitoringKeys = {
  all: ['monitoring'] as const,
  catalog: (id: string) => ['monitoring', id, 'catalog'] as const,
  latest: (id: string) => ['monitoring', id, 'latest'] as const,
  series: (id: string, metric: string, labels: Record<string, string> | undefined, from: number, to: number, width: number) =>
    ['monitoring', id, 'series', metric, labels ? JSON.stringify(Object.entries(labels).sort()) : '', from, to, width] as const,
  disks: (id: string) => ['monitoring', id, 'disks'] as const,
  smart: (id: string, device: string) => ['monitoring', id, 'smart', device] as const,
};

/** Collector rounds are ~10 s apart and charts show minutes to years: a minute is fresh enough. */
const REFRESH_MS = 60_000;

export type SeriesResult = MethodOutput<'metrics.series'>;
export interface SeriesRequest {
  metric: string;
  labels?: Record<string, string>;
}

export function useMetricCatalog(applianceId: string) {
  const client = useApiClient();
  return useQuery({ queryKey: monitoringKeys.catalog(applianceId), queryFn: () => client.call('metrics.catalog', { applianceId }), refetchInterval: REFRESH_MS });
}

export function useMetricLatest(applianceId: string) {
  const client = useApiClient();
  return useQuery({ queryKey: monitoringKeys.latest(applianceId), queryFn: () => client.call('metrics.latest', { applianceId }), refetchInterval: REFRESH_MS });
}

/**
 * Several series of one chart over the same range, `widthPoints` = the chart's pixel width (the
 * store answers at the coarsest resolution that fills it). The previous range's data stays on
 * screen while a new range loads, and the combined result is memoised on the queries' data so the
 * chart re-renders only when an answer changes — not once per finished query.
 */
export function useMetricSeries(applianceId: string, requests: readonly SeriesRequest[], range: { from: number; to: number }, widthPoints: number) {
  const client = useApiClient();
  const width = Math.min(5000, Math.max(10, Math.round(widthPoints)));
  return useQueries({
    queries: requests.map((r) => ({
      queryKey: monitoringKeys.series(applianceId, r.metric, r.labels, range.from, range.to, width),
      queryFn: (): Promise<SeriesResult> => client.call('metrics.series', { applianceId, metric: r.metric, ...(r.labels ? { labels: r.labels } : {}), from: range.from, to: range.to, widthPoints: width }),
      enabled: widthPoints > 0,
      placeholderData: keepPreviousData,
      staleTime: REFRESH_MS,
    })),
    // combine's result is kept referentially stable while the answers are the same.
    combine: (results) => ({
      data: results.map((r) => r.data),
      loading: results.some((r) => r.isFetching),
      error: results.find((r) => r.error)?.error ?? null,
    }),
  });
}

export function useDisks(applianceId: string) {
  const client = useApiClient();
  return useQuery({ queryKey: monitoringKeys.disks(applianceId), queryFn: () => client.call('disks.list', { applianceId }), refetchInterval: REFRESH_MS });
}

export function useDiskSmart(applianceId: string, device: string | null) {
  const client = useApiClient();
  return useQuery({
    queryKey: monitoringKeys.smart(applianceId, device ?? ''),
    queryFn: () => client.call('disks.smart', { applianceId, device: device! }),
    enabled: device !== null,
  });
}

export function useSelfTest(applianceId: string) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { device: string; kind: 'short' | 'long' }) => client.call('disks.selfTest', { applianceId, ...v }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: monitoringKeys.disks(applianceId) }),
  });
}
