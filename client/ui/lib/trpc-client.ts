import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '../../../server/routers/root.ts';
import { TRPC_MAX_BATCH } from '../../../shared/trpc.ts';
import { readError } from './errors.ts';

export interface AppClient {
  queryClient: QueryClient;
  trpcClient: TRPCClient<AppRouter>;
  /** Set by the router: what to do when the server says the session has ended (go to sign-in, keeping the place). */
  setSessionEndedHandler(handler: () => void): void;
}

/**
 * The query cache and the tRPC link both apps share: no retries on 4xx, a
 * 401 ends the session (except on the app's own sign-in forms, where it is an
 * ordinary error for the form), and every mutation carries the session's CSRF
 * token, since the session cookie itself is httpOnly.
 */
export function createAppClient(opts: {
  /** Procedures whose UNAUTHORIZED answer belongs to the form, e.g. `auth.signIn`. */
  ownAuthErrors: readonly string[];
  /** The signed-in session's CSRF token, read when each request is sent. */
  csrfToken: (queryClient: QueryClient) => string | undefined;
}): AppClient {
  const ownAuthErrors = new Set(opts.ownAuthErrors);
  let onSessionEnded: (() => void) | undefined;
  const handleError = (err: unknown): void => {
    const e = readError(err);
    if (e.httpStatus === 401 && !(e.path && ownAuthErrors.has(e.path))) onSessionEnded?.();
  };
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // Client errors (4xx) do not get better by asking again.
        retry: (failures, err) => {
          const status = readError(err).httpStatus;
          return (status === undefined || status >= 500) && failures < 2;
        },
        refetchOnWindowFocus: false,
      },
    },
    queryCache: new QueryCache({ onError: handleError }),
    mutationCache: new MutationCache({ onError: handleError }),
  });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        maxItems: TRPC_MAX_BATCH,
        headers: (): Record<string, string> => {
          const token = opts.csrfToken(queryClient);
          return token ? { 'X-CSRF-Token': token } : {};
        },
      }),
    ],
  });
  return {
    queryClient,
    trpcClient,
    setSessionEndedHandler: (handler) => {
      onSessionEnded = handler;
    },
  };
}
