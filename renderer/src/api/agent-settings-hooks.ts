import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';

/** One key per appliance: an Apply writes its answer there, so the card shows what the agent said. */
export const agentSettingsKey = (applianceId: string) => ['agent-settings', applianceId] as const;

/**
 * The agent's settings as the console intends them and as the machine has them now. Every answer
 * asks the agent (one exchange on the pooled connection), so it is not polled: it is read when the
 * card opens, on Refresh, and after Apply.
 */
export function useAgentSettings(applianceId: string) {
  const client = useApiClient();
  return useQuery({ queryKey: agentSettingsKey(applianceId), queryFn: () => client.call('agentSettings.get', { applianceId }), refetchOnWindowFocus: false });
}

/** Apply: the console's intent, written to the agent's settings.json and used by the agent at once. */
export function useUpdateAgentSettings(applianceId: string) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (prometheus: NonNullable<MethodInput<'agentSettings.update'>['prometheus']>) => client.call('agentSettings.update', { applianceId, prometheus }),
    onSuccess: (view) => queryClient.setQueryData(agentSettingsKey(applianceId), view),
  });
}
