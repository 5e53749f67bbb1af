import { useMutation } from '@tanstack/react-query';
import { MailWarning, ShieldAlert } from 'lucide-react';
import type { CustomerView } from '../../../shared/portal.ts';
import { Button } from '../../ui/components/button.tsx';
import { toast } from '../../ui/lib/toast.ts';
import { errorMessage } from '../../ui/lib/errors.ts';
import { trpc } from '../lib/trpc.ts';

/** Why the API refuses this customer's keys, on every screen while it does. */
export function SuspendedBanner({ customer }: { customer: CustomerView }) {
  if (customer.status !== 'suspended') return null;
  return (
    <div role="alert" className="mb-6 flex items-start gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
      <ShieldAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <div>
        <p className="font-medium">Your account is suspended</p>
        <p className="mt-0.5">
          {customer.suspendedReason ? `${customer.suspendedReason.trim().replace(/[.!]?$/, '.')} ` : ''}Calls with your keys are refused (HTTP 403) until the operator reactivates the account, and no new keys can be created. Contact the operator of this
          service about it.
        </p>
      </div>
    </div>
  );
}

/** Keys wait for a verified email: says where the link went, and sends it again. */
export function VerifyEmailBanner({ customer }: { customer: CustomerView }) {
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  if (customer.emailVerifiedAt) return null;
  return (
    <div role="status" className="mb-6 flex flex-col gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 sm:flex-row sm:items-center">
      <MailWarning className="hidden size-4 shrink-0 sm:block" aria-hidden="true" />
      <p className="flex-1">
        <span className="font-medium">Verify your email to create API keys.</span> We sent a link to <strong className="break-all">{customer.email}</strong>; follow it to finish signing up.
      </p>
      <Button
        size="sm"
        pending={resend.isPending}
        onClick={() =>
          resend.mutate(undefined, {
            onSuccess: (r) => toast(`Sent a new link to ${r.sentTo}`, { description: 'It replaces the earlier ones.' }),
            onError: (err) => toast('Could not send the email', { tone: 'error', description: errorMessage(err) }),
          })
        }
      >
        Resend verification email
      </Button>
    </div>
  );
}

export function AccountBanners({ customer }: { customer: CustomerView }) {
  return (
    <>
      <SuspendedBanner customer={customer} />
      <VerifyEmailBanner customer={customer} />
    </>
  );
}
