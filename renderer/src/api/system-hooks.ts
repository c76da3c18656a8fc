import { queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodOutput } from '../../../main/contract/api.contract';
import type { Settings } from '../../../main/contract/settings.contract';
import type { TypedClient } from '../../../main/contract/transport';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

export function settingsQuery(client: TypedClient) {
  return queryOptions({
    queryKey: queryKeys.settings,
    queryFn: (): Promise<Settings> => client.call('settings.get', {}),
    // Changes arrive as settings.changed events, and a refetch follows any reconnect.
    staleTime: Infinity,
    // The shell waits for settings before its first frame; never keep it blank for retries.
    retry: false,
  });
}

export function useSettings() {
  return useQuery(settingsQuery(useApiClient()));
}

/**
 * Saves language/theme. The change is applied optimistically so the switch is instant, and rolled
 * back if the host refuses it.
 */
export function useUpdateSettings() {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<Settings>): Promise<Settings> => client.call('settings.update', patch),
    onMutate: async (patch) => {
      await queryClient.cancelQueries({ queryKey: queryKeys.settings });
      const previous = queryClient.getQueryData<Settings>(queryKeys.settings);
      if (previous) queryClient.setQueryData<Settings>(queryKeys.settings, { ...previous, ...patch });
      return { previous };
    },
    onError: (_error, _patch, context) => {
      if (context?.previous) queryClient.setQueryData(queryKeys.settings, context.previous);
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData(queryKeys.settings, saved);
      await queryClient.invalidateQueries({ queryKey: queryKeys.audit });
    },
  });
}

export function useSystemInfo() {
  const client = useApiClient();
  return useQuery({
    queryKey: queryKeys.systemInfo,
    queryFn: (): Promise<MethodOutput<'system.info'>> => client.call('system.info', {}),
    staleTime: Infinity,
  });
}

export const AUDIT_PAGE_SIZE = 50;

/** The audit log, newest first, one page per "load more" (cursor = oldest id seen). */
export function useAuditLog() {
  const client = useApiClient();
  return useInfiniteQuery({
    queryKey: queryKeys.audit,
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }): Promise<MethodOutput<'audit.list'>> =>
      client.call('audit.list', pageParam === undefined ? { limit: AUDIT_PAGE_SIZE } : { limit: AUDIT_PAGE_SIZE, before: pageParam }),
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}
