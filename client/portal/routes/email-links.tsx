import { useMutation } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { CheckCircle2, XCircle } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { buttonClass } from '../../ui/components/button.tsx';
import { useDocumentTitle } from '../../ui/components/card.tsx';
import { Spinner } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { useInvalidate } from '../lib/invalidation.ts';
import { linkProblem } from '../lib/links.ts';
import { useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';
import { AuthCard } from '../layout/public.tsx';

export const VerifyRoute = createLazyRoute('/_public/verify-email')({ component: VerifyEmailPage });
export const ConfirmRoute = createLazyRoute('/_public/confirm-email')({ component: ConfirmEmailPage });

/**
 * Follows an emailed link once, as the page opens (the links are public: they
 * may be opened in another browser than the one signed in). A ref keeps React's
 * development double-run from using the token twice.
 */
function useFollowLink(token: string | undefined, follow: (token: string) => void) {
  const followed = useRef<string | null>(null);
  useEffect(() => {
    if (!token || followed.current === token) return;
    followed.current = token;
    follow(token);
  }, [token, follow]);
}

function LinkOutcome({ pending, error, title, children }: { pending: boolean; error: unknown; title: string; children: ReactNode }) {
  const customer = useCustomer();
  const next = customer ? (
    <Link to="/app" className={buttonClass('primary', 'md', 'w-full')}>
      Go to your dashboard
    </Link>
  ) : (
    <Link to="/login" className={buttonClass('primary', 'md', 'w-full')}>
      Sign in
    </Link>
  );
  if (pending) {
    return (
      <AuthCard title={title}>
        <p className="flex items-center gap-2 text-sm text-zinc-700" role="status">
          <Spinner /> Checking the link…
        </p>
      </AuthCard>
    );
  }
  if (error) {
    return (
      <AuthCard title="This link cannot be used">
        <div className="space-y-4 text-sm text-zinc-700">
          <p className="flex items-start gap-2" role="alert">
            <XCircle className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden="true" />
            {linkProblem(error) ?? errorMessage(error)}
          </p>
          {next}
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={title}>
      <div className="space-y-4 text-sm text-zinc-700">
        <p className="flex items-start gap-2" role="status">
          <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden="true" />
          <span>{children}</span>
        </p>
        {next}
      </div>
    </AuthCard>
  );
}

function MissingToken() {
  return (
    <AuthCard title="This link is incomplete">
      <p className="text-sm text-zinc-700">The link has no token: it may have been cut short when it was copied. Open it again from the email.</p>
    </AuthCard>
  );
}

/** `/verify-email?token=…`: the sign-up's verification link. */
function VerifyEmailPage() {
  useDocumentTitle('Verify your email');
  const { token } = VerifyRoute.useSearch();
  const invalidate = useInvalidate();
  const verify = useMutation({ ...trpc.auth.verifyEmail.mutationOptions(), onSuccess: () => void invalidate('auth') });
  useFollowLink(token, (t) => verify.mutate({ token: t }));
  if (!token) return <MissingToken />;
  return (
    <LinkOutcome pending={!verify.isSuccess && !verify.isError} error={verify.error} title="Your email is verified">
      <strong className="break-all">{verify.data?.email}</strong> is verified. You can create API keys now.
    </LinkOutcome>
  );
}

/** `/confirm-email?token=…`: the link sent to a new address; the change takes effect now. */
function ConfirmEmailPage() {
  useDocumentTitle('Confirm your new email');
  const { token } = ConfirmRoute.useSearch();
  const invalidate = useInvalidate();
  const confirm = useMutation({ ...trpc.auth.confirmEmailChange.mutationOptions(), onSuccess: () => void invalidate('auth') });
  useFollowLink(token, (t) => confirm.mutate({ token: t }));
  if (!token) return <MissingToken />;
  return (
    <LinkOutcome pending={!confirm.isSuccess && !confirm.isError} error={confirm.error} title="Your email is changed">
      Your account&apos;s email is now <strong className="break-all">{confirm.data?.email}</strong>. Sign in with it from now on.
    </LinkOutcome>
  );
}
