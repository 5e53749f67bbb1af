import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { signInSchema } from '../../../shared/admin.ts';
import { Button } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field, Input } from '../../ui/components/field.tsx';
import { readError } from '../../ui/lib/errors.ts';
import { applyServerError, useSharedForm } from '../../ui/lib/forms.ts';
import { LockoutAlert, lockoutEnd, useCountdown } from '../../ui/lockout.tsx';
import { rememberSession, takeExpiredNotice } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/sign-in')({ component: SignInPage });

function SignInPage() {
  useDocumentTitle('Sign in');
  const { next } = Route.useSearch();
  const navigate = useNavigate();
  const [expired] = useState(takeExpiredNotice);
  const [formError, setFormError] = useState<string | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);
  const locked = lockedUntil !== null && secondsLeft > 0;
  const form = useSharedForm(signInSchema, { defaultValues: { email: '', password: '' } });
  const signIn = useMutation(trpc.auth.signIn.mutationOptions());

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      const me = await signIn.mutateAsync(values);
      rememberSession(me);
      await navigate({ href: next ?? '/', replace: true });
    } catch (err) {
      const e = readError(err);
      if (e.httpStatus === 429) {
        setLockedUntil(lockoutEnd(e.details));
        return;
      }
      setFormError(applyServerError(err, form.setError, ['email', 'password']));
      form.setValue('password', '');
      form.setFocus('password');
    }
  });

  const { errors, isSubmitting } = form.formState;
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center bg-zinc-50 px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <svg viewBox="0 0 32 32" className="size-10" aria-hidden="true">
            <rect width="32" height="32" rx="8" className="fill-brand-600" />
            <path d="M9 22V10m0 6h14m0-6v12" stroke="#fff" strokeWidth="3" strokeLinecap="round" fill="none" />
          </svg>
          <h1 className="mt-4 text-2xl font-semibold tracking-tight text-zinc-900">Sign in to Harmonic</h1>
          <p className="mt-1 text-sm text-zinc-500">The admin app for your API: users, keys, quotas and usage.</p>
        </div>
        <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm" aria-label="Sign in">
          {expired && !formError && !locked && <Alert tone="info">Your session has expired. Sign in again to carry on where you were.</Alert>}
          {locked && lockedUntil !== null && <LockoutAlert until={lockedUntil} secondsLeft={secondsLeft} />}
          {formError && !locked && <Alert>{formError}</Alert>}
          <Field label="Email" error={errors.email?.message}>
            {(p) => <Input {...p} type="email" autoComplete="username" autoFocus inputMode="email" {...form.register('email')} />}
          </Field>
          <Field label="Password" error={errors.password?.message}>
            {(p) => <Input {...p} type="password" autoComplete="current-password" {...form.register('password')} />}
          </Field>
          <Button type="submit" variant="primary" className="w-full" pending={isSubmitting} disabled={locked}>
            Sign in
          </Button>
        </form>
        <p className="mt-6 text-center text-xs text-zinc-500">
          Forgot your password? An owner can reset it with <code className="rounded bg-zinc-100 px-1 py-0.5">npx harmonic admin reset-password</code>.
        </p>
      </div>
    </main>
  );
}
