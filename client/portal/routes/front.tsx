import { createLazyRoute, Link } from '@tanstack/react-router';
import { BarChart3, KeyRound, Rocket } from 'lucide-react';
import { buttonClass } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Alert, EmptyState } from '../../ui/components/feedback.tsx';
import { PricingTable } from '../components/pricing.tsx';
import { useCustomer, useInfo } from '../lib/session.ts';

export const Route = createLazyRoute('/_public/')({ component: FrontPage });

const STEPS = [
  { icon: Rocket, title: 'Sign up', text: 'Create an account and verify your email. You start on the starter plan.' },
  { icon: KeyRound, title: 'Create a key', text: 'Make an API key for each app. It is shown once; rotate or revoke it any time.' },
  { icon: BarChart3, title: 'Call the API', text: 'Send requests with your key and watch your usage and quota as they happen.' },
];

/** The public front page: what the product is, its plans, and the way in. */
function FrontPage() {
  const info = useInfo();
  const customer = useCustomer();
  useDocumentTitle('Welcome');
  if (!info) return null;
  const signUp = !customer && info.signupEnabled;
  return (
    <>
      <section className="border-b border-zinc-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 py-14 sm:px-6 sm:py-20">
          <h1 className="max-w-2xl text-3xl font-semibold tracking-tight text-zinc-900 sm:text-4xl">{info.productName}</h1>
          <p className="mt-3 max-w-2xl text-base text-zinc-600 sm:text-lg">One API for your data: get a key in a minute, see every call you make, and stay inside a clear monthly quota.</p>
          <div className="mt-8 flex flex-wrap gap-3">
            {customer ? (
              <Link to="/app" className={buttonClass('primary', 'md')}>
                Go to your dashboard
              </Link>
            ) : (
              <>
                {signUp && (
                  <Link to="/sign-up" className={buttonClass('primary', 'md')}>
                    Get started
                  </Link>
                )}
                <Link to="/login" className={buttonClass('secondary', 'md')}>
                  Sign in
                </Link>
              </>
            )}
          </div>
          {!customer && !info.signupEnabled && (
            <Alert tone="info" className="mt-6 max-w-2xl">
              Sign-up is closed here. To get an account, contact the operator of this service.
            </Alert>
          )}
        </div>
      </section>

      <section aria-labelledby="pricing-heading" className="mx-auto max-w-6xl px-4 py-12 sm:px-6">
        <h2 id="pricing-heading" className="text-xl font-semibold tracking-tight text-zinc-900">
          Plans
        </h2>
        <p className="mt-1 text-sm text-zinc-600">Plans count requests per calendar month (UTC), starting again on the first; while you pay by subscription, the count runs from one renewal to the next.</p>
        <div className="mt-6">
          {info.tiers.length === 0 ? (
            <div className="rounded-xl border border-zinc-200 bg-white">
              <EmptyState title="No plans are published yet">Contact the operator of this service for access.</EmptyState>
            </div>
          ) : (
            <PricingTable
              tiers={info.tiers}
              action={
                signUp
                  ? (tier) =>
                      tier.isDefault ? (
                        <Link to="/sign-up" className={buttonClass('primary', 'md', 'w-full')}>
                          Start with {tier.name}
                        </Link>
                      ) : (
                        <p className="text-xs text-zinc-600">Sign up on the starter plan; to move to {tier.name}, contact the operator.</p>
                      )
                  : undefined
              }
            />
          )}
        </div>
      </section>

      <section aria-labelledby="how-heading" className="mx-auto max-w-6xl px-4 pb-16 sm:px-6">
        <h2 id="how-heading" className="text-xl font-semibold tracking-tight text-zinc-900">
          How it works
        </h2>
        <ol className="mt-6 grid grid-cols-1 gap-4 md:grid-cols-3">
          {STEPS.map((step, i) => (
            <li key={step.title} className="rounded-xl border border-zinc-200 bg-white p-5">
              <step.icon className="size-5 text-brand-600" aria-hidden="true" />
              <h3 className="mt-3 font-semibold text-zinc-900">
                {i + 1}. {step.title}
              </h3>
              <p className="mt-1 text-sm text-zinc-600">{step.text}</p>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
