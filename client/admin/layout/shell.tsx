import * as DialogPrimitive from '@radix-ui/react-dialog';
import { Outlet } from '@tanstack/react-router';
import { Menu, X } from 'lucide-react';
import { useState } from 'react';
import { useMe } from '../lib/session.ts';
import { AccountMenu } from './account-menu.tsx';
import { Brand, Nav } from './nav.tsx';

/** The signed-in layout: a sidebar on wide screens, a drawer on phones, the account menu top right. */
export function Shell() {
  const me = useMe();
  const [drawer, setDrawer] = useState(false);
  if (!me) return null;
  return (
    <div className="min-h-dvh lg:pl-60">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 font-medium shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3">
        Skip to content
      </a>
      <aside className="hidden border-r border-zinc-200 bg-white lg:fixed lg:inset-y-0 lg:left-0 lg:z-40 lg:flex lg:w-60 lg:flex-col">
        <div className="flex h-14 items-center px-5">
          <Brand />
        </div>
        <div className="flex-1 overflow-y-auto py-3">
          <Nav role={me.admin.role} />
        </div>
        <p className="px-5 py-4 text-xs text-zinc-400">Harmonic admin</p>
      </aside>

      <DialogPrimitive.Root open={drawer} onOpenChange={setDrawer}>
        <DialogPrimitive.Portal>
          <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 lg:hidden" />
          <DialogPrimitive.Content className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col bg-white shadow-xl focus:outline-none lg:hidden">
            <div className="flex h-14 items-center justify-between px-5">
              <Brand />
              <DialogPrimitive.Close className="rounded-md p-1.5 text-zinc-500 hover:bg-zinc-100" aria-label="Close menu">
                <X className="size-5" aria-hidden="true" />
              </DialogPrimitive.Close>
            </div>
            <DialogPrimitive.Title className="sr-only">Menu</DialogPrimitive.Title>
            <DialogPrimitive.Description className="sr-only">Go to another screen</DialogPrimitive.Description>
            <div className="flex-1 overflow-y-auto py-2">
              <Nav role={me.admin.role} onNavigate={() => setDrawer(false)} />
            </div>
          </DialogPrimitive.Content>
        </DialogPrimitive.Portal>
      </DialogPrimitive.Root>

      <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-zinc-200 bg-white/90 px-4 backdrop-blur lg:px-8">
        <button type="button" onClick={() => setDrawer(true)} className="-ml-1.5 rounded-md p-1.5 text-zinc-600 hover:bg-zinc-100 lg:hidden" aria-label="Open menu">
          <Menu className="size-5" aria-hidden="true" />
        </button>
        <div className="lg:hidden">
          <Brand />
        </div>
        <div className="flex-1" />
        <AccountMenu me={me} />
      </header>

      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none sm:px-6 lg:px-8 lg:py-8">
        <Outlet />
      </main>
    </div>
  );
}
