import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../../server/routers/root.ts';
import type { CustomerSessionView } from '../../../shared/portal.ts';
import { TRPC_MAX_BATCH } from '../../../shared/trpc.ts';
import { readError } from '../../ui/lib/errors.ts';

export type Me = CustomerSessionView;

/** Set by the router: what to do when the server says the session has ended (go to sign-in, keeping the place). */
let onSessionEnded: (() => void) | undefined;
export function setSessionEndedHandler(handler: () => void): void {
  onSessionEnded = handler;
}

/** Procedures whose UNAUTHORIZED answer is an ordinary error for the form, not the end of a session. */
const OWN_AUTH_ERRORS = new Set(['portal.auth.signIn', 'portal.auth.signUp']);

function handleError(err: unknown): void {
  const e = readError(err);
  if (e.httpStatus === 401 && !(e.path && OWN_AUTH_ERRORS.has(e.path))) onSessionEnded?.();
}

export const queryClient = new QueryClient({
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

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      maxItems: TRPC_MAX_BATCH,
      // Every customer mutation carries the portal session's CSRF token; the session cookie itself is httpOnly.
      headers: (): Record<string, string> => {
        const token = queryClient.getQueryData(meQueryKey())?.csrfToken;
        return token ? { 'X-CSRF-Token': token } : {};
      },
    }),
  ],
});

/** The typed bridge between tRPC and TanStack Query, for the portal's procedures: `trpc.portal.keys.list.queryOptions()`. */
export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient }).portal;

export const meQueryKey = () => trpc.auth.me.queryKey();
export const meOptions = () => ({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });
export const infoOptions = () => ({ ...trpc.public.info.queryOptions(), staleTime: 60_000 });
