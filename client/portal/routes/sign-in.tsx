import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { customerSignInSchema } from '../../../shared/portal.ts';
import { Button } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field, Input } from '../../ui/components/field.tsx';
import { readError } from '../../ui/lib/errors.ts';
import { applyServerError, useSharedForm } from '../../ui/lib/forms.ts';
import { LockoutAlert, lockoutEnd, useCountdown } from '../../ui/lockout.tsx';
import { PasswordInput } from '../components/password-input.tsx';
import { AuthCard } from '../layout/public.tsx';
import { rememberSession, takeExpiredNotice, useInfo } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_public/login')({ component: SignInPage });

function SignInPage() {
  useDocumentTitle('Sign in');
  const { next } = Route.useSearch();
  const info = useInfo();
  const navigate = useNavigate();
  const [expired] = useState(takeExpiredNotice);
  const [formError, setFormError] = useState<string | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);
  const locked = lockedUntil !== null && secondsLeft > 0;
  const form = useSharedForm(customerSignInSchema, { defaultValues: { email: '', password: '' } });
  const signIn = useMutation(trpc.auth.signIn.mutationOptions());

  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      rememberSession(await signIn.mutateAsync(values));
      await navigate({ href: next ?? '/app', replace: true });
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
    <AuthCard
      title="Sign in"
      description={info ? `to your ${info.productName} account` : undefined}
      footer={
        info?.signupEnabled && (
          <>
            New here?{' '}
            <Link to="/sign-up" className="font-medium text-brand-700 hover:underline">
              Create an account
            </Link>
          </>
        )
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4" aria-label="Sign in">
        {expired && !formError && !locked && <Alert tone="info">Your session has ended. Sign in again to carry on where you were.</Alert>}
        {locked && lockedUntil !== null && <LockoutAlert until={lockedUntil} secondsLeft={secondsLeft} />}
        {formError && !locked && <Alert>{formError}</Alert>}
        <Field label="Email" error={errors.email?.message}>
          {(p) => <Input {...p} type="email" autoComplete="username" autoFocus inputMode="email" {...form.register('email')} />}
        </Field>
        <Field label="Password" error={errors.password?.message}>
          {(p) => <PasswordInput {...p} autoComplete="current-password" {...form.register('password')} />}
        </Field>
        <div className="flex justify-end">
          <Link to="/forgot-password" className="text-sm font-medium text-brand-700 hover:underline">
            Forgot your password?
          </Link>
        </div>
        <Button type="submit" variant="primary" className="w-full" pending={isSubmitting} disabled={locked}>
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}
