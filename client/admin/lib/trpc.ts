import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../../server/routers/root.ts';
import type { AdminSessionView } from '../../../shared/admin.ts';
import { createAppClient } from '../../ui/lib/trpc-client.ts';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type Me = AdminSessionView;

const app = createAppClient({
  ownAuthErrors: ['auth.signIn'],
  csrfToken: (queryClient) => queryClient.getQueryData(meQueryKey())?.csrfToken,
});

export const { queryClient, trpcClient, setSessionEndedHandler } = app;

/** The one typed bridge between tRPC and TanStack Query: `trpc.admin.users.list.queryOptions(input)`. */
export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

export const meQueryKey = () => trpc.auth.me.queryKey();
