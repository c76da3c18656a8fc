import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MethodOutput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

/** "Test connection" is an action with a report, not cached state: a mutation each time it runs. */
export function useTestConnection() {
  const client = useApiClient();
  return useMutation({
    mutationFn: (id: string): Promise<MethodOutput<'onboarding.testConnection'>> => client.call('onboarding.testConnection', { id }),
  });
}

/** Trusting a host key is audited: refresh the audit log after it, whatever the outcome. */
export function useAcceptHostKey() {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; fingerprint: string }): Promise<MethodOutput<'onboarding.acceptHostKey'>> => client.call('onboarding.acceptHostKey', input),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.audit }),
  });
}
