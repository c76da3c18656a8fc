import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MethodOutput } from '../../../main/contract/api.contract';
import type { TypedClient } from '../../../main/contract/transport';
import { useApiClient } from './api-context';
import { queryKeys } from './query-keys';

export type ProvisionRun = MethodOutput<'provision.install'>;
/** What a run does: install or repair, upgrade (with rollback), or uninstall (purge: data, logs and settings too). */
export type ProvisionAction = { kind: 'provision' } | { kind: 'upgrade' } | { kind: 'uninstall'; purge: boolean };

/** The one call behind each action; progress arrives as `provision.progress` events meanwhile. */
export function callProvisionAction(client: TypedClient, id: string, action: ProvisionAction): Promise<ProvisionRun> {
  if (action.kind === 'upgrade') return client.call('provision.upgrade', { id });
  if (action.kind === 'uninstall') return client.call('provision.uninstall', { id, purge: action.purge });
  return client.call('provision.install', { id });
}

/**
 * Runs an action on one appliance. Afterwards the audit log (it records the call) and the
 * appliance's status (agent version, services) are refreshed.
 */
export function useProvisionAction() {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: ProvisionAction }): Promise<ProvisionRun> => callProvisionAction(client, id, action),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.audit }), queryClient.invalidateQueries({ queryKey: queryKeys.status })]),
  });
}

/** Runs the install plan on one appliance; its progress arrives as `provision.progress` events. */
export function useProvision() {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string): Promise<ProvisionRun> => client.call('provision.install', { id }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.audit }),
  });
}

export function useCancelProvision() {
  const client = useApiClient();
  return useMutation({ mutationFn: (id: string) => client.call('provision.cancel', { id }) });
}
