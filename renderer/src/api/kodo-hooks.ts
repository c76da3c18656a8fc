import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../../main/contract/api.contract';
import { useApiClient } from './api-context';

/**
 * Kodo on one appliance (the `kodo.*` methods). Every read asks the machine (one exchange on the
 * pooled connection), so the status is refreshed every 15 s while the page is open — healing moves
 * — and after every change; listings are read when shown.
 */
export const kodoKeys = {
  all: (applianceId: string) => ['kodo', applianceId] as const,
  status: (applianceId: string) => ['kodo', applianceId, 'status'] as const,
  keys: (applianceId: string) => ['kodo', applianceId, 'keys'] as const,
  objects: (applianceId: string, bucket: string, prefix: string, token: string | null) => ['kodo', applianceId, 'objects', bucket, prefix, token] as const,
};

const STATUS_REFRESH_MS = 15_000;

export function useKodoStatus(applianceId: string | null) {
  const client = useApiClient();
  return useQuery({
    queryKey: kodoKeys.status(applianceId ?? ''),
    queryFn: () => client.call('kodo.status', { applianceId: applianceId! }),
    enabled: applianceId !== null,
    refetchInterval: STATUS_REFRESH_MS,
    refetchOnWindowFocus: false,
  });
}

export function useKodoKeys(applianceId: string, enabled: boolean) {
  const client = useApiClient();
  return useQuery({ queryKey: kodoKeys.keys(applianceId), queryFn: () => client.call('kodo.listKeys', { applianceId }), enabled, refetchOnWindowFocus: false });
}

/** One page of a bucket at a prefix. */
export function useKodoObjects(applianceId: string, bucket: string | null, prefix: string, token: string | null) {
  const client = useApiClient();
  return useQuery({
    queryKey: kodoKeys.objects(applianceId, bucket ?? '', prefix, token),
    queryFn: () => client.call('kodo.listObjects', { applianceId, bucket: bucket!, prefix, ...(token ? { continuationToken: token } : {}) }),
    enabled: bucket !== null,
    // Paging keeps the page on screen until the next arrives; another folder starts empty (its names are cut by another prefix).
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[3] === (bucket ?? '') && previousQuery?.queryKey[4] === prefix ? keepPreviousData(previous) : undefined),
    refetchOnWindowFocus: false,
  });
}

type KodoMutation =
  | { method: 'kodo.init'; input: Omit<MethodInput<'kodo.init'>, 'applianceId'> }
  | { method: 'kodo.createKey'; input: Omit<MethodInput<'kodo.createKey'>, 'applianceId'> }
  | { method: 'kodo.revokeKey'; input: Omit<MethodInput<'kodo.revokeKey'>, 'applianceId'> }
  | { method: 'kodo.createBucket'; input: Omit<MethodInput<'kodo.createBucket'>, 'applianceId'> }
  | { method: 'kodo.deleteBucket'; input: Omit<MethodInput<'kodo.deleteBucket'>, 'applianceId'> }
  | { method: 'kodo.setPublicRead'; input: Omit<MethodInput<'kodo.setPublicRead'>, 'applianceId'> }
  | { method: 'kodo.heal'; input: Omit<MethodInput<'kodo.heal'>, 'applianceId'> }
  | { method: 'kodo.deleteObject'; input: Omit<MethodInput<'kodo.deleteObject'>, 'applianceId'> }
  | { method: 'kodo.presignObject'; input: Omit<MethodInput<'kodo.presignObject'>, 'applianceId'> };

/** Any change to Kodo on the appliance; afterwards everything shown of it is read again. */
export function useKodoChange<M extends KodoMutation['method']>(applianceId: string, method: M) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Extract<KodoMutation, { method: M }>['input']) => client.call(method, { applianceId, ...input } as never),
    onSettled: () => queryClient.invalidateQueries({ queryKey: kodoKeys.all(applianceId) }),
  });
}
