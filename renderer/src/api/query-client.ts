import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../../../main/contract/errors';

/**
 * Server state lives only in react-query. Events keep it fresh (see live-updates.ts), so a
 * moderate staleTime avoids refetch storms on focus; an ApiError is an answer, not a glitch, so
 * only transport failures are retried.
 */
export function createConsoleQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failureCount, error) => !(error instanceof ApiError) && failureCount < 2,
      },
      mutations: { retry: false },
    },
  });
}
