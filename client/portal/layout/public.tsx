import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { buttonClass } from '../../ui/components/button.tsx';
import { Brand } from '../components/brand.tsx';
import { useCustomer, useInfo } from '../lib/session.ts';

/** The public pages' frame: the product's name, sign-in and sign-up (or the way into the portal), and the page. */
export function PublicLayout({ children }: { children: ReactNode }) {
  const customer = useCustomer();
  const info = useInfo();
  return (
    <div className="flex min-h-dvh flex-col">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 font-medium shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3">
        Skip to content
      </a>
      <header className="border-b border-zinc-200 bg-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4 sm:px-6">
          <Brand />
          <div className="flex-1" />
          <nav aria-label="Account" className="flex items-center gap-2">
            {customer ? (
              <Link to="/app" className={buttonClass('primary', 'sm')}>
                Go to your dashboard
              </Link>
            ) : (
              <>
                <Link to="/login" className={buttonClass('ghost', 'sm')}>
                  Sign in
                </Link>
                {info?.signupEnabled && (
                  <Link to="/sign-up" className={buttonClass('primary', 'sm')}>
                    Sign up
                  </Link>
                )}
              </>
            )}
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="flex-1 focus:outline-none">
        {children}
      </main>
      <footer className="border-t border-zinc-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-4 text-xs text-zinc-600 sm:px-6">
          <span>{info?.productName}</span>
          <a href="/api/v1/docs" className="hover:text-zinc-900 hover:underline">
            API reference
          </a>
        </div>
      </footer>
    </div>
  );
}

/** A narrow centred card for the sign-up, sign-in and emailed-link pages. */
export function AuthCard({ title, description, children, footer }: { title: string; description?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="mx-auto w-full max-w-md px-4 py-10 sm:py-16">
      <div className="mb-6 text-center">
        <h1 className="text-2xl font-semibold tracking-tight text-zinc-900">{title}</h1>
        {description && <p className="mt-1 text-sm text-zinc-600">{description}</p>}
      </div>
      <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm">{children}</div>
      {footer && <div className="mt-6 text-center text-sm text-zinc-600">{footer}</div>}
    </div>
  );
}
