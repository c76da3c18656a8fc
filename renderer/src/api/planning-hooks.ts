import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { EcPlanInput } from '../../../main/contract/planning.contract';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

/** Layouts for the planner's current inputs; the previous answer stays on screen while typing. */
export function useEcLayouts(input: EcPlanInput | null) {
  const client = useApiClient();
  return useQuery({
    queryKey: [...queryKeys.planning, 'ec', input] as const,
    queryFn: () => client.call('planning.ecLayouts', input!),
    enabled: input !== null,
    placeholderData: keepPreviousData,
  });
}
