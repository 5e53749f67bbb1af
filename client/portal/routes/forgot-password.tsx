import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { MailCheck } from 'lucide-react';
import { useState } from 'react';
import { forgotPasswordSchema } from '../../../shared/portal.ts';
import { Button } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field, Input } from '../../ui/components/field.tsx';
import { applyServerError, useSharedForm } from '../../ui/lib/forms.ts';
import { AuthCard } from '../layout/public.tsx';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_public/forgot-password')({ component: ForgotPasswordPage });

/** Asks for a reset link. The answer is the same whether or not the address has an account. */
function ForgotPasswordPage() {
  useDocumentTitle('Forgot password');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useSharedForm(forgotPasswordSchema, { defaultValues: { email: '' } });
  const forgot = useMutation(trpc.auth.forgotPassword.mutationOptions());
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await forgot.mutateAsync(values);
      setSentTo(values.email);
    } catch (err) {
      setFormError(applyServerError(err, form.setError, ['email']));
    }
  });
  const back = (
    <Link to="/login" className="font-medium text-brand-700 hover:underline">
      Back to sign-in
    </Link>
  );

  if (sentTo) {
    return (
      <AuthCard title="Check your email" footer={back}>
        <div className="flex items-start gap-3 text-sm text-zinc-700" role="status">
          <MailCheck className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-hidden="true" />
          <p>
            If <strong className="break-all">{sentTo}</strong> has an account here, a link to choose a new password is on its way. It works for an hour, once. Nothing arrived? Check the spam folder, or{' '}
            <button type="button" className="font-medium text-brand-700 underline" onClick={() => setSentTo(null)}>
              try again
            </button>
            .
          </p>
        </div>
      </AuthCard>
    );
  }

  const { errors, isSubmitting } = form.formState;
  return (
    <AuthCard title="Forgot your password?" description="Enter your account's email and we will send a link to choose a new one." footer={back}>
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4" aria-label="Forgot password">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Email" error={errors.email?.message}>
          {(p) => <Input {...p} type="email" autoComplete="email" autoFocus inputMode="email" {...form.register('email')} />}
        </Field>
        <Button type="submit" variant="primary" className="w-full" pending={isSubmitting}>
          Send the link
        </Button>
      </form>
    </AuthCard>
  );
}
