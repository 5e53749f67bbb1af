import { createRootRouteWithContext, createRoute, createRouter, Link, Outlet, redirect, stripSearchParams, type ErrorComponentProps } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { buttonClass } from '../ui/components/button.tsx';
import { ErrorState, LoadingBlock } from '../ui/components/feedback.tsx';
import { Toaster } from '../ui/components/toaster.tsx';
import { Shell } from './layout/shell.tsx';
import { errorMessage } from '../ui/lib/errors.ts';
import {
  auditSearchSchema,
  billingSearchSchema,
  dashboardSearchDefaults,
  dashboardSearchSchema,
  kbSearchDefaults,
  kbSearchSchema,
  keysSearchSchema,
  playgroundSearchDefaults,
  playgroundSearchSchema,
  signInSearchSchema,
  userSearchDefaults,
  userSearchSchema,
  usersSearchDefaults,
  usersSearchSchema,
} from './lib/search.ts';
import { forgetSession, markSessionExpired } from './lib/session.ts';
import { queryClient, setSessionEndedHandler, trpc } from './lib/trpc.ts';

export interface RouterContext {
  queryClient: QueryClient;
}

const meOptions = () => ({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });

/** A screen's code could not be loaded: usually a new version was deployed and the old files are gone. */
const isStaleChunk = (error: unknown) => error instanceof Error && /dynamically imported module|Importing a module script failed|error loading dynamically/i.test(error.message);

function RouteError({ error, reset }: ErrorComponentProps) {
  if (isStaleChunk(error)) {
    return <ErrorState title="Harmonic was updated" message="This screen changed since the page was loaded. Reload to get the new version." onRetry={() => window.location.reload()} />;
  }
  return <ErrorState title="Something went wrong" message={errorMessage(error)} onRetry={reset} />;
}

function RootError(props: ErrorComponentProps) {
  return (
    <div className="mx-auto max-w-lg py-16">
      <RouteError {...props} />
    </div>
  );
}

function NotFound() {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-zinc-900">Nothing here</h1>
      <p className="mt-2 text-zinc-500">This page does not exist. It may have been moved, or the link is mistyped.</p>
      <Link to="/" className={buttonClass('primary', 'md', 'mt-6')}>
        Go to the dashboard
      </Link>
    </div>
  );
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: () => (
    <>
      <Outlet />
      <Toaster />
    </>
  ),
  notFoundComponent: NotFound,
  errorComponent: RootError,
});

export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-in',
  validateSearch: signInSearchSchema,
  beforeLoad: async ({ context, search }) => {
    const me = await context.queryClient.ensureQueryData(meOptions());
    if (me) throw redirect({ href: search.next ?? '/', replace: true });
  },
}).lazy(() => import('./routes/sign-in.tsx').then((m) => m.Route));

/** Everything behind sign-in. Without a session, go to sign-in and come back here afterwards. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_app',
  beforeLoad: async ({ context, location }) => {
    const me = await context.queryClient.ensureQueryData(meOptions());
    if (!me) throw redirect({ to: '/sign-in', search: { next: location.href === '/' ? undefined : location.href }, replace: true });
    return { me };
  },
  component: Shell,
});

const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  validateSearch: dashboardSearchSchema,
  search: { middlewares: [stripSearchParams(dashboardSearchDefaults)] },
}).lazy(() => import('./routes/dashboard.tsx').then((m) => m.Route));

const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'users',
  validateSearch: usersSearchSchema,
  search: { middlewares: [stripSearchParams(usersSearchDefaults)] },
}).lazy(() => import('./routes/users.tsx').then((m) => m.Route));

const userRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'users/$userId',
  validateSearch: userSearchSchema,
  search: { middlewares: [stripSearchParams(userSearchDefaults)] },
}).lazy(() => import('./routes/user.tsx').then((m) => m.Route));

const keysRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'keys',
  validateSearch: keysSearchSchema,
}).lazy(() => import('./routes/keys.tsx').then((m) => m.Route));

const tiersRoute = createRoute({ getParentRoute: () => appRoute, path: 'tiers' }).lazy(() => import('./routes/tiers.tsx').then((m) => m.Route));

const kbRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'kb',
  validateSearch: kbSearchSchema,
  search: { middlewares: [stripSearchParams(kbSearchDefaults)] },
}).lazy(() => import('./routes/kb.tsx').then((m) => m.Route));

const kbNewRoute = createRoute({ getParentRoute: () => appRoute, path: 'kb/new' }).lazy(() => import('./routes/kb-entry.tsx').then((m) => m.NewRoute));
const kbEntryRoute = createRoute({ getParentRoute: () => appRoute, path: 'kb/$entryId' }).lazy(() => import('./routes/kb-entry.tsx').then((m) => m.EditRoute));

const auditRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'audit',
  validateSearch: auditSearchSchema,
}).lazy(() => import('./routes/audit.tsx').then((m) => m.Route));

const playgroundRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'playground',
  validateSearch: playgroundSearchSchema,
  search: { middlewares: [stripSearchParams(playgroundSearchDefaults)] },
}).lazy(() => import('./routes/playground.tsx').then((m) => m.Route));

const billingRoute = createRoute({ getParentRoute: () => appRoute, path: 'billing', validateSearch: billingSearchSchema }).lazy(() => import('./routes/billing.tsx').then((m) => m.Route));

const settingsRoute = createRoute({ getParentRoute: () => appRoute, path: 'settings' }).lazy(() => import('./routes/settings.tsx').then((m) => m.Route));

const webhooksRoute = createRoute({ getParentRoute: () => appRoute, path: 'webhooks' }).lazy(() => import('./routes/webhooks.tsx').then((m) => m.Route));

const adminsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'admins',
  beforeLoad: ({ context }) => {
    if (context.me.admin.role !== 'owner') throw redirect({ to: '/', replace: true });
  },
}).lazy(() => import('./routes/admins.tsx').then((m) => m.Route));

const managementKeysRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'management-keys',
  beforeLoad: ({ context }) => {
    if (context.me.admin.role !== 'owner') throw redirect({ to: '/', replace: true });
  },
}).lazy(() => import('./routes/management-keys.tsx').then((m) => m.Route));

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([dashboardRoute, usersRoute, userRoute, keysRoute, tiersRoute, kbRoute, kbNewRoute, kbEntryRoute, auditRoute, playgroundRoute, billingRoute, settingsRoute, webhooksRoute, adminsRoute, managementKeysRoute]),
]);

export const router = createRouter({
  routeTree,
  // The admin app lives under /admin (the customer portal has `/`); every route and link here is relative to it.
  basepath: '/admin',
  context: { queryClient },
  defaultPreload: 'intent',
  // Loading is TanStack Query's job; the router only waits for the route's code.
  defaultPreloadStaleTime: 0,
  defaultPendingComponent: () => <LoadingBlock rows={6} />,
  defaultErrorComponent: RouteError,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
  interface HistoryState {
    /** An id from lib/handoff.ts: a key handed to the playground in memory. */
    keyHandoff?: string;
  }
}

/**
 * The server says the session is over (expired, signed out elsewhere): forget
 * it, and go to sign-in, remembering where the admin was so they come back there.
 */
let leaving = false;
setSessionEndedHandler(() => {
  const location = router.state.location;
  if (leaving || location.pathname === '/sign-in') return;
  leaving = true;
  markSessionExpired();
  queryClient.setQueryData(trpc.auth.me.queryKey(), null);
  void router
    .navigate({ to: '/sign-in', search: { next: location.href === '/' ? undefined : location.href }, replace: true })
    .finally(() => {
      forgetSession();
      leaving = false;
    });
});
