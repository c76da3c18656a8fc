import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput, MethodOutput } from '../../../main/contract/api.contract';
import type { Appliance } from '../../../main/contract/fleet.contract';
import type { TypedClient } from '../../../main/contract/transport';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

/**
 * The whole fleet in one query. Filtering happens in the page: 1,000 records are a few hundred
 * kilobytes, filtering them takes well under a millisecond, and it avoids a round trip per
 * keystroke and keeps the tag list complete while a filter is active.
 */
export function fleetListQuery(client: TypedClient) {
  return queryOptions({
    queryKey: queryKeys.fleetList,
    queryFn: async (): Promise<Appliance[]> => (await client.call('fleet.list', {})).appliances,
  });
}

export function useFleetList() {
  return useQuery(fleetListQuery(useApiClient()));
}

/** After any fleet change (or failed attempt: the audit log records those too) refresh both. */
function useInvalidateFleet() {
  const queryClient = useQueryClient();
  return async (): Promise<void> => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.fleet }),
      queryClient.invalidateQueries({ queryKey: queryKeys.audit }),
    ]);
  };
}

export function useAddAppliance() {
  const client = useApiClient();
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (input: MethodInput<'fleet.add'>): Promise<MethodOutput<'fleet.add'>> => client.call('fleet.add', input),
    // Also after a failure: a conflict or not-found means our copy of the list is stale.
    onSettled: invalidate,
  });
}

export function useUpdateAppliance() {
  const client = useApiClient();
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (input: MethodInput<'fleet.update'>): Promise<MethodOutput<'fleet.update'>> => client.call('fleet.update', input),
    // Also after a failure: a conflict or not-found means our copy of the list is stale.
    onSettled: invalidate,
  });
}

export function useRemoveAppliance() {
  const client = useApiClient();
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (id: string): Promise<MethodOutput<'fleet.remove'>> => client.call('fleet.remove', { id }),
    // Also after a failure: a conflict or not-found means our copy of the list is stale.
    onSettled: invalidate,
  });
}

export function useImportAppliances() {
  const client = useApiClient();
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (input: MethodInput<'fleet.import'>): Promise<MethodOutput<'fleet.import'>> => client.call('fleet.import', input),
    onSettled: invalidate,
  });
}
