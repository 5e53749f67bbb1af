import { createRootRouteWithContext, createRoute, createRouter, Link, Outlet, redirect, type ErrorComponentProps } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { buttonClass } from '../ui/components/button.tsx';
import { setTitleSuffix } from '../ui/components/card.tsx';
import { ErrorState, LoadingBlock } from '../ui/components/feedback.tsx';
import { Toaster } from '../ui/components/toaster.tsx';
import { errorMessage } from '../ui/lib/errors.ts';
import { PublicLayout } from './layout/public.tsx';
import { validatePlanSearch, validateSignInSearch, validateTokenSearch } from './lib/search.ts';
import { forgetSession, markSessionExpired } from './lib/session.ts';
import { infoOptions, meOptions, queryClient, setSessionEndedHandler, trpc } from './lib/trpc.ts';

export interface RouterContext {
  queryClient: QueryClient;
}

/** A screen's code could not be loaded: usually a new version was deployed and the old files are gone. */
const isStaleChunk = (error: unknown) => error instanceof Error && /dynamically imported module|Importing a module script failed|error loading dynamically/i.test(error.message);

function RouteError({ error, reset }: ErrorComponentProps) {
  if (isStaleChunk(error)) {
    return <ErrorState title="This site was updated" message="This page changed since it was loaded. Reload to get the new version." onRetry={() => window.location.reload()} />;
  }
  return <ErrorState title="Something went wrong" message={errorMessage(error)} onRetry={reset} />;
}

function RootError(props: ErrorComponentProps) {
  return (
    <main className="mx-auto max-w-lg px-4 py-16">
      <h1 className="sr-only">Something went wrong</h1>
      <RouteError {...props} />
    </main>
  );
}

function NotFound() {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-zinc-900">Nothing here</h1>
      <p className="mt-2 text-zinc-600">This page does not exist. It may have been moved, or the link is mistyped.</p>
      <Link to="/" className={buttonClass('primary', 'md', 'mt-6')}>
        Go to the front page
      </Link>
    </div>
  );
}

/** Before any screen: who is signed in, and what the front page needs (one batched request). */
const rootRoute = createRootRouteWithContext<RouterContext>()({
  beforeLoad: async ({ context }) => {
    const [me, info] = await Promise.all([context.queryClient.ensureQueryData(meOptions()), context.queryClient.ensureQueryData(infoOptions())]);
    setTitleSuffix(info.productName);
    return { me, info };
  },
  component: () => (
    <>
      <Outlet />
      <Toaster />
    </>
  ),
  notFoundComponent: () => (
    <PublicLayout>
      <NotFound />
    </PublicLayout>
  ),
  errorComponent: RootError,
});

/** The pages anyone can open: the front page, sign-up and sign-in, and the ones emailed links open. */
const publicRoute = createRoute({ getParentRoute: () => rootRoute, id: '_public', component: () => <PublicLayout><Outlet /></PublicLayout> });

const frontRoute = createRoute({ getParentRoute: () => publicRoute, path: '/' }).lazy(() => import('./routes/front.tsx').then((m) => m.Route));

/** Signed in already: the form has nothing to do, go to the portal. */
const signedOutOnly = ({ context, search }: { context: { me: unknown }; search: { next?: string | undefined } }) => {
  if (context.me) throw redirect({ href: search.next ?? '/app', replace: true });
};

const signUpRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: 'sign-up',
  beforeLoad: ({ context }) => signedOutOnly({ context, search: {} }),
}).lazy(() => import('./routes/sign-up.tsx').then((m) => m.Route));

export const signInRoute = createRoute({
  getParentRoute: () => publicRoute,
  // Not /sign-in: that old admin path redirects to /admin/sign-in (server/spa.ts).
  path: 'login',
  validateSearch: validateSignInSearch,
  beforeLoad: signedOutOnly,
}).lazy(() => import('./routes/sign-in.tsx').then((m) => m.Route));

const forgotPasswordRoute = createRoute({ getParentRoute: () => publicRoute, path: 'forgot-password' }).lazy(() => import('./routes/forgot-password.tsx').then((m) => m.Route));

const resetPasswordRoute = createRoute({ getParentRoute: () => publicRoute, path: 'reset-password', validateSearch: validateTokenSearch }).lazy(() =>
  import('./routes/reset-password.tsx').then((m) => m.Route),
);

const verifyEmailRoute = createRoute({ getParentRoute: () => publicRoute, path: 'verify-email', validateSearch: validateTokenSearch }).lazy(() =>
  import('./routes/email-links.tsx').then((m) => m.VerifyRoute),
);

const confirmEmailRoute = createRoute({ getParentRoute: () => publicRoute, path: 'confirm-email', validateSearch: validateTokenSearch }).lazy(() =>
  import('./routes/email-links.tsx').then((m) => m.ConfirmRoute),
);

/** The signed-in portal, under /app. Without a session, go to sign-in and come back here afterwards. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'app',
  beforeLoad: ({ context, location }) => {
    if (!context.me) throw redirect({ to: '/login', search: { next: location.href === '/app' ? undefined : location.href }, replace: true });
    return { me: context.me };
  },
}).lazy(() => import('./layout/shell.tsx').then((m) => m.Route));

const overviewRoute = createRoute({ getParentRoute: () => appRoute, path: '/' }).lazy(() => import('./routes/overview.tsx').then((m) => m.Route));
const keysRoute = createRoute({ getParentRoute: () => appRoute, path: 'keys' }).lazy(() => import('./routes/keys.tsx').then((m) => m.Route));
const playgroundRoute = createRoute({ getParentRoute: () => appRoute, path: 'playground' }).lazy(() => import('./routes/playground.tsx').then((m) => m.Route));
const planRoute = createRoute({ getParentRoute: () => appRoute, path: 'plan', validateSearch: validatePlanSearch }).lazy(() => import('./routes/plan.tsx').then((m) => m.Route));
const webhooksRoute = createRoute({ getParentRoute: () => appRoute, path: 'webhooks' }).lazy(() => import('./routes/webhooks.tsx').then((m) => m.Route));
const alertsRoute = createRoute({ getParentRoute: () => appRoute, path: 'alerts' }).lazy(() => import('./routes/alerts.tsx').then((m) => m.Route));
const accountRoute = createRoute({ getParentRoute: () => appRoute, path: 'account' }).lazy(() => import('./routes/account.tsx').then((m) => m.Route));

const routeTree = rootRoute.addChildren([
  publicRoute.addChildren([frontRoute, signUpRoute, signInRoute, forgotPasswordRoute, resetPasswordRoute, verifyEmailRoute, confirmEmailRoute]),
  appRoute.addChildren([overviewRoute, keysRoute, playgroundRoute, planRoute, webhooksRoute, alertsRoute, accountRoute]),
]);

export const router = createRouter({
  routeTree,
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
    /** An id from ui/lib/handoff.ts: a key handed to the playground in memory. */
    keyHandoff?: string;
  }
}

/**
 * The server says the session is over (expired, signed out elsewhere, account
 * deleted): forget it, and go to sign-in, remembering where the customer was.
 */
let leaving = false;
setSessionEndedHandler(() => {
  const location = router.state.location;
  if (leaving || !location.pathname.startsWith('/app')) return;
  leaving = true;
  markSessionExpired();
  queryClient.setQueryData(trpc.auth.me.queryKey(), null);
  void router
    .navigate({ to: '/login', search: { next: location.href === '/app' ? undefined : location.href }, replace: true })
    .finally(() => {
      forgetSession();
      leaving = false;
    });
});
