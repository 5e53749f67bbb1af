import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, Link, Outlet, useNavigate } from '@tanstack/react-router';
import { BellRing, FlaskConical, Gauge, KeyRound, Layers, LogOut, UserRound, Webhook } from 'lucide-react';
import type { ComponentType } from 'react';
import type { CustomerView } from '../../../shared/portal.ts';
import { Button } from '../../ui/components/button.tsx';
import { toast } from '../../ui/lib/toast.ts';
import { Brand } from '../components/brand.tsx';
import { NotificationsBell, QuotaAlertBanner } from '../components/alert-banner.tsx';
import { AccountBanners } from '../components/banners.tsx';
import { leave, useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

interface NavItem {
  to: '/app' | '/app/keys' | '/app/playground' | '/app/plan' | '/app/webhooks' | '/app/alerts' | '/app/account';
  label: string;
  icon: ComponentType<{ className?: string; 'aria-hidden'?: boolean }>;
}

export const Route = createLazyRoute('/app')({ component: Shell });

const NAV: readonly NavItem[] = [
  { to: '/app', label: 'Overview', icon: Gauge },
  { to: '/app/keys', label: 'API keys', icon: KeyRound },
  { to: '/app/playground', label: 'Playground', icon: FlaskConical },
  { to: '/app/plan', label: 'Plan', icon: Layers },
  { to: '/app/webhooks', label: 'Webhooks', icon: Webhook },
  { to: '/app/alerts', label: 'Alerts', icon: BellRing },
  { to: '/app/account', label: 'Account', icon: UserRound },
];

/** The signed-in portal: the product's name, the screens (a row that scrolls sideways on phones), the notifications bell, the account menu, and the account's and the quota's banners. */
function Shell() {
  const customer = useCustomer();
  if (!customer) return null;
  return (
    <div className="min-h-dvh">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 font-medium shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-4 px-4 sm:px-6">
          <Brand to="/app" />
          <nav aria-label="Main" className="hidden min-w-0 flex-1 items-center gap-1 overflow-x-auto md:flex">
            <NavLinks />
          </nav>
          <div className="flex-1 md:hidden" />
          <AccountControls customer={customer} />
        </div>
        <nav aria-label="Main" className="flex gap-1 overflow-x-auto border-t border-zinc-100 px-2 py-1.5 md:hidden">
          <NavLinks />
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 focus:outline-none sm:px-6 lg:py-8">
        <AccountBanners customer={customer} />
        <QuotaAlertBanner />
        <Outlet />
      </main>
    </div>
  );
}

function NavLinks() {
  return NAV.map((item) => (
    <Link
      key={item.to}
      to={item.to}
      activeOptions={{ exact: item.to === '/app', includeSearch: false }}
      className="flex shrink-0 items-center gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-700"
    >
      <item.icon className="size-4 shrink-0" aria-hidden />
      {item.label}
    </Link>
  ));
}

/** The notifications bell, who is signed in (on wide screens: the nav needs the room below that), and signing out. */
function AccountControls({ customer }: { customer: CustomerView }) {
  const navigate = useNavigate();
  const signOut = useMutation(trpc.auth.signOut.mutationOptions());
  return (
    <div className="flex min-w-0 items-center gap-2">
      <NotificationsBell />
      <Link to="/app/account" className="hidden max-w-48 truncate text-sm font-medium text-zinc-700 hover:text-zinc-900 hover:underline 2xl:block" title={customer.email}>
        {customer.name || customer.email}
      </Link>
      <Button
        size="sm"
        variant="ghost"
        pending={signOut.isPending}
        onClick={() =>
          signOut.mutate(undefined, {
            onSuccess: () => void leave(navigate),
            onError: (err) => toast('Could not sign out', { tone: 'error', description: err.message }),
          })
        }
      >
        <LogOut className="size-4" aria-hidden="true" /> Sign out
      </Button>
    </div>
  );
}
