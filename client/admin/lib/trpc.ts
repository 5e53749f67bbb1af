import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../../server/routers/root.ts';
import type { AdminSessionView } from '../../../shared/admin.ts';
import { TRPC_MAX_BATCH } from '../../../shared/trpc.ts';
import { readError } from '../../ui/lib/errors.ts';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type Me = AdminSessionView;

/** Set by the router: what to do when the server says the session has ended (go to sign-in, keeping the place). */
let onSessionEnded: (() => void) | undefined;
export function setSessionEndedHandler(handler: () => void): void {
  onSessionEnded = handler;
}

/** Procedures whose UNAUTHORIZED answer is an ordinary error for the form, not the end of a session. */
const OWN_AUTH_ERRORS = new Set(['auth.signIn']);

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
      // Every admin mutation carries the session's CSRF token; the session cookie itself is httpOnly.
      headers: (): Record<string, string> => {
        const token = csrfToken();
        return token ? { 'X-CSRF-Token': token } : {};
      },
    }),
  ],
});

/** The one typed bridge between tRPC and TanStack Query: `trpc.admin.users.list.queryOptions(input)`. */
export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

export const meQueryKey = () => trpc.auth.me.queryKey();

function csrfToken(): string | undefined {
  return queryClient.getQueryData(meQueryKey())?.csrfToken;
}
