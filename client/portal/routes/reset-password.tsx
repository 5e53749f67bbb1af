import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { CheckCircle2 } from 'lucide-react';
import { useState } from 'react';
import { customerPasswordSchema } from '../../../shared/portal.ts';
import { Button, buttonClass } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Alert } from '../../ui/components/feedback.tsx';
import { Field } from '../../ui/components/field.tsx';
import { applyServerError, useSharedForm } from '../../ui/lib/forms.ts';
import { PasswordInput } from '../components/password-input.tsx';
import { AuthCard } from '../layout/public.tsx';
import { linkProblem } from '../lib/links.ts';
import { forgetSession } from '../lib/session.ts';
import { queryClient, trpc } from '../lib/trpc.ts';
import { z } from 'zod';

export const Route = createLazyRoute('/_public/reset-password')({ component: ResetPasswordPage });

/** The form holds only the password; the token comes from the link. */
const newPasswordSchema = z.strictObject({ password: customerPasswordSchema });

/** Opened from the emailed link: choose a new password. Every session of the account ends, this browser's too. */
function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const { token } = Route.useSearch();
  const [done, setDone] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useSharedForm(newPasswordSchema, { defaultValues: { password: '' } });
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const submit = form.handleSubmit(async ({ password }) => {
    setFormError(null);
    try {
      await reset.mutateAsync({ token: token ?? '', password });
      // The server ended every session, this one included.
      queryClient.setQueryData(trpc.auth.me.queryKey(), null);
      forgetSession();
      setDone(true);
    } catch (err) {
      setFormError(linkProblem(err) ?? applyServerError(err, form.setError, ['password']));
    }
  });

  if (!token) return <BadLink />;
  if (done) {
    return (
      <AuthCard title="Your password is changed">
        <div className="space-y-4 text-sm text-zinc-700" role="status">
          <p className="flex items-start gap-2">
            <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden="true" />
            Every browser signed in to your account was signed out. Sign in with the new password.
          </p>
          <Link to="/login" className={buttonClass('primary', 'md', 'w-full')}>
            Sign in
          </Link>
        </div>
      </AuthCard>
    );
  }
  const { errors, isSubmitting } = form.formState;
  return (
    <AuthCard title="Choose a new password" footer={<Link to="/forgot-password" className="font-medium text-brand-700 hover:underline">Send a new link</Link>}>
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4" aria-label="Reset password">
        {formError && <Alert>{formError}</Alert>}
        <Field label="New password" error={errors.password?.message} hint="At least 12 characters. A few unrelated words make a strong one.">
          {(p) => <PasswordInput {...p} autoComplete="new-password" autoFocus {...form.register('password')} />}
        </Field>
        <Button type="submit" variant="primary" className="w-full" pending={isSubmitting}>
          Set the new password
        </Button>
      </form>
    </AuthCard>
  );
}

function BadLink() {
  return (
    <AuthCard title="This link is incomplete">
      <p className="text-sm text-zinc-700">
        The link has no token: it may have been cut short when it was copied. Open it again from the email, or{' '}
        <Link to="/forgot-password" className="font-medium text-brand-700 underline">
          ask for a new one
        </Link>
        .
      </p>
    </AuthCard>
  );
}
