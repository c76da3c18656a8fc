import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

export type ServiceAction = 'start' | 'stop' | 'restart';

/**
 * Start, stop or restart one service of an appliance. The console checks the appliance again
 * before it answers (main/services/service-control.ts), and the status change reaches every open
 * console as an event; the status is refetched here too, for a console whose event stream is down.
 */
export function useServiceAction(applianceId: string) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { action: ServiceAction; service: string }) => client.call(`service.${v.action}`, { applianceId, service: v.service }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.statusAll }),
  });
}
