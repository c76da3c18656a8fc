import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApiClient } from './api-context';

/**
 * Diagnose on one appliance: the latest stored run, and a run started from the page with its
 * progress (`diagnose.progress` events carrying the run token) and cancel.
 */
const latestKey = (applianceId: string) => ['diagnose', applianceId, 'latest'] as const;

export function useLatestDiagnosis(applianceId: string) {
  const client = useApiClient();
  return useQuery({ queryKey: latestKey(applianceId), queryFn: () => client.call('diagnose.latest', { applianceId }), refetchOnWindowFocus: false });
}

export function useDiagnoseRun(applianceId: string) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  useEffect(() => {
    if (!token) return;
    return client.on('diagnose.progress', (p) => {
      if (p.runToken === token) setProgress({ done: p.done, total: p.total });
    });
  }, [client, token]);
  const run = useMutation({
    mutationFn: async () => {
      const runToken = crypto.randomUUID();
      setToken(runToken);
      setProgress(null);
      try {
        return await client.call('diagnose.run', { applianceId, runToken });
      } finally {
        setToken(null);
      }
    },
    onSuccess: (result) => queryClient.setQueryData(latestKey(applianceId), result),
  });
  const cancel = () => {
    if (token) void client.call('diagnose.cancel', { runToken: token });
  };
  return { run, progress, cancel, running: run.isPending };
}
