import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../../server/routers/root.ts';
import type { CustomerSessionView } from '../../../shared/portal.ts';
import { createAppClient } from '../../ui/lib/trpc-client.ts';

export type Me = CustomerSessionView;

const app = createAppClient({
  ownAuthErrors: ['portal.auth.signIn', 'portal.auth.signUp'],
  csrfToken: (queryClient) => queryClient.getQueryData(meQueryKey())?.csrfToken,
});

export const { queryClient, trpcClient, setSessionEndedHandler } = app;

/** The typed bridge between tRPC and TanStack Query, for the portal's procedures: `trpc.portal.keys.list.queryOptions()`. */
export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient }).portal;

export const meQueryKey = () => trpc.auth.me.queryKey();
export const meOptions = () => ({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });
export const infoOptions = () => ({ ...trpc.public.info.queryOptions(), staleTime: 60_000 });
