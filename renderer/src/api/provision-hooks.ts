import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MethodOutput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

/** Runs the install plan on one appliance; its progress arrives as `provision.progress` events. */
export function useProvision() {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string): Promise<MethodOutput<'fleet.provision'>> => client.call('fleet.provision', { id }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.audit }),
  });
}

export function useCancelProvision() {
  const client = useApiClient();
  return useMutation({ mutationFn: (id: string) => client.call('fleet.cancelProvision', { id }) });
}
