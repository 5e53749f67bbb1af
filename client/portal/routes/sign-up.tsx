import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { signUpSchema } from '../../../shared/portal.ts';
import { Button } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field, Input } from '../../ui/components/field.tsx';
import { applyServerError, useSharedForm } from '../../ui/lib/forms.ts';
import { PasswordInput } from '../components/password-input.tsx';
import { AuthCard } from '../layout/public.tsx';
import { rememberSession, useInfo } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_public/sign-up')({ component: SignUpPage });

function SignUpPage() {
  useDocumentTitle('Sign up');
  const info = useInfo();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useSharedForm(signUpSchema, { defaultValues: { name: '', email: '', password: '' } });
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      rememberSession(await signUp.mutateAsync(values));
      await navigate({ to: '/app', replace: true });
    } catch (err) {
      setFormError(applyServerError(err, form.setError, ['name', 'email', 'password']));
    }
  });

  if (info && !info.signupEnabled) {
    return (
      <AuthCard title="Sign-up is closed" footer={<>Have an account? <Link to="/login" className="font-medium text-brand-700 hover:underline">Sign in</Link></>}>
        <p className="text-sm text-zinc-700">New accounts cannot be created here right now. To get one, contact the operator of {info.productName}.</p>
      </AuthCard>
    );
  }

  const { errors, isSubmitting } = form.formState;
  const starter = info?.tiers.find((t) => t.isDefault);
  return (
    <AuthCard
      title="Create your account"
      description={info ? `You start on ${starter ? `the ${starter.name} plan` : 'the starter plan'} of ${info.productName}.` : undefined}
      footer={
        <>
          Have an account already?{' '}
          <Link to="/login" className="font-medium text-brand-700 hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4" aria-label="Sign up">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Name" error={errors.name?.message}>
          {(p) => <Input {...p} autoComplete="name" autoFocus {...form.register('name')} />}
        </Field>
        <Field label="Email" error={errors.email?.message} hint="We send a link to verify it before you can create keys.">
          {(p) => <Input {...p} type="email" autoComplete="email" inputMode="email" {...form.register('email')} />}
        </Field>
        <Field label="Password" error={errors.password?.message} hint="At least 12 characters. A few unrelated words make a strong one.">
          {(p) => <PasswordInput {...p} autoComplete="new-password" {...form.register('password')} />}
        </Field>
        <Button type="submit" variant="primary" className="w-full" pending={isSubmitting}>
          Create account
        </Button>
      </form>
    </AuthCard>
  );
}
