import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { AlertState } from '../../../main/contract/alerts.contract';
import type { MethodInput, MethodOutput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

/** Keys under one prefix, so an `alerts.changed` event refreshes everything alert-shaped at once. */
export const alertKeys = {
  all: ['alerts'] as const,
  summary: ['alerts', 'summary'] as const,
  list: (states: readonly AlertState[]) => ['alerts', 'list', [...states].sort().join(',')] as const,
  silences: (includeEnded: boolean) => ['alerts', 'silences', includeEnded] as const,
  rules: ['alerts', 'rules'] as const,
};

export const ALERTS_PAGE_SIZE = 100;
/** Values (a disk at 91 %, 92 %…) change every collector round without a state change, so no event says so. */
const VALUE_REFRESH_MS = 60_000;
/** A collector round changes many alerts at once: refetch once per burst. */
const ALERT_EVENT_SETTLE_MS = 200;

/** Refetches alert queries when the host says alerts changed. Mounted once, by the nav badge. */
export function useAlertsLiveUpdates(): void {
  const client = useApiClient();
  const queryClient = useQueryClient();
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    const off = client.on('alerts.changed', () => {
      if (pending !== null) clearTimeout(pending);
      pending = setTimeout(() => {
        pending = null;
        void queryClient.invalidateQueries({ queryKey: alertKeys.all });
      }, ALERT_EVENT_SETTLE_MS);
    });
    return () => {
      if (pending !== null) clearTimeout(pending);
      off();
    };
  }, [client, queryClient]);
}

export function useAlertSummary() {
  const client = useApiClient();
  return useQuery({ queryKey: alertKeys.summary, queryFn: (): Promise<MethodOutput<'alerts.summary'>> => client.call('alerts.summary', {}) });
}

/** Alerts in the given states, newest first, a page per "load more". */
export function useAlertList(states: readonly AlertState[]) {
  const client = useApiClient();
  return useInfiniteQuery({
    queryKey: alertKeys.list(states),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }): Promise<MethodOutput<'alerts.list'>> =>
      client.call('alerts.list', { states: [...states], limit: ALERTS_PAGE_SIZE, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: VALUE_REFRESH_MS,
  });
}

export function useAlertSilences(includeEnded: boolean) {
  const client = useApiClient();
  return useQuery({ queryKey: alertKeys.silences(includeEnded), queryFn: (): Promise<MethodOutput<'alerts.silences'>> => client.call('alerts.silences', { includeEnded }) });
}

export function useAlertRules() {
  const client = useApiClient();
  return useQuery({ queryKey: alertKeys.rules, queryFn: (): Promise<MethodOutput<'alerts.rules'>> => client.call('alerts.rules', {}) });
}

/** Every alert mutation refreshes the alert queries and the audit log (it records the call). */
function useAlertMutation<M extends 'alerts.acknowledge' | 'alerts.silence' | 'alerts.unsilence' | 'alerts.updateRule' | 'alerts.resetRule'>(method: M) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: MethodInput<M>): Promise<MethodOutput<M>> => client.call(method, input),
    // Also after a failure: a conflict (already acknowledged, already resolved) means our copy is stale.
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: alertKeys.all }), queryClient.invalidateQueries({ queryKey: queryKeys.audit })]),
  });
}

export const useAcknowledgeAlert = () => useAlertMutation('alerts.acknowledge');
export const useSilenceAlerts = () => useAlertMutation('alerts.silence');
export const useUnsilence = () => useAlertMutation('alerts.unsilence');
export const useUpdateAlertRule = () => useAlertMutation('alerts.updateRule');
export const useResetAlertRule = () => useAlertMutation('alerts.resetRule');
