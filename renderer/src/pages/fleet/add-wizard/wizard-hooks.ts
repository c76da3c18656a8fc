import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, type RefObject } from 'react';
import type { MethodOutput } from '../../../../../main/contract/api.contract';
import { useApiClient } from '../../../api/api-context';

/** `provision.preflight`: an action with a report (it logs in and looks), so a mutation each time. */
export function usePreflight() {
  const client = useApiClient();
  return useMutation({ mutationFn: (id: string): Promise<MethodOutput<'provision.preflight'>> => client.call('provision.preflight', { id }) });
}

/** `status.checkNow`: the agent's version for the summary, straight after the install. */
export function useCheckNow() {
  const client = useApiClient();
  return useMutation({ mutationFn: (id: string): Promise<MethodOutput<'status.checkNow'>> => client.call('status.checkNow', { id }) });
}

/**
 * Moves focus to the step's main button once it can be pressed, so Enter advances without a
 * mouse (a disabled button cannot take focus, hence the effect rather than autoFocus).
 */
export function useFocusWhen(ready: boolean): RefObject<HTMLButtonElement | null> {
  const ref = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    if (ready) ref.current?.focus();
  }, [ready]);
  return ref;
}
