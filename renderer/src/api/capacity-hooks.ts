import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { MethodInput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';

export const capacityKeys = {
  all: ['capacity'] as const,
  fleet: ['capacity', 'fleet'] as const,
  appliance: (id: string) => ['capacity', 'appliance', id] as const,
  whatIf: (input: MethodInput<'capacity.whatIf'>) => ['capacity', 'whatIf', JSON.stringify(input)] as const,
};

/** Usage moves slowly (hourly points, daily trend): refresh every few minutes. */
const REFRESH_MS = 5 * 60_000;

export function useFleetCapacity() {
  const client = useApiClient();
  return useQuery({ queryKey: capacityKeys.fleet, queryFn: () => client.call('capacity.fleet', {}), refetchInterval: REFRESH_MS });
}

export function useApplianceCapacity(id: string) {
  const client = useApiClient();
  return useQuery({ queryKey: capacityKeys.appliance(id), queryFn: () => client.call('capacity.appliance', { id }), refetchInterval: REFRESH_MS });
}

/** The what-if for the panel's current inputs; the previous answer stays while typing. */
export function useCapacityWhatIf(input: MethodInput<'capacity.whatIf'> | null) {
  const client = useApiClient();
  return useQuery({
    queryKey: capacityKeys.whatIf(input ?? { scope: 'fleet' }),
    queryFn: () => client.call('capacity.whatIf', input!),
    enabled: input !== null,
    placeholderData: keepPreviousData,
  });
}
