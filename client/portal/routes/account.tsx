import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, useNavigate } from '@tanstack/react-router';
import { MailCheck, MonitorSmartphone } from 'lucide-react';
import { useState } from 'react';
import { changeEmailSchema, customerChangePasswordSchema, deleteAccountSchema, updateProfileSchema, type CustomerSession, type CustomerView } from '../../../shared/portal.ts';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { ConfirmDialog, Dialog, DialogFooter } from '../../ui/components/dialog.tsx';
import { Alert, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Field, Input } from '../../ui/components/field.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { useDialogForm, useServerForm } from '../../ui/lib/forms.ts';
import { formatDateTime, formatRelative } from '../../ui/lib/format.ts';
import { toast } from '../../ui/lib/toast.ts';
import { PasswordInput } from '../components/password-input.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { describeBrowser } from '../lib/user-agent.ts';
import { leave, useCustomer } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/account')({ component: AccountPage });

/** The customer's own account: profile, email, password, signed-in browsers, and deleting it all. */
function AccountPage() {
  const customer = useCustomer();
  if (!customer) return null;
  return (
    <>
      <PageHeader title="Account" description="Your profile, how you sign in, and where you are signed in." />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <ProfileCard customer={customer} />
        <EmailCard customer={customer} />
        <PasswordCard />
        <DeleteCard customer={customer} />
      </div>
      <div className="mt-6">
        <SessionsCard />
      </div>
    </>
  );
}

function ProfileCard({ customer }: { customer: CustomerView }) {
  const invalidate = useInvalidate();
  const update = useMutation(trpc.account.updateProfile.mutationOptions());
  const { form, formError, submitting } = useServerForm(updateProfileSchema, { values: { name: customer.name }, fields: ['name'] });
  const submit = submitting(async (input) => {
    await update.mutateAsync(input);
    await invalidate('account');
    toast('Profile saved');
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  return (
    <Card aria-labelledby="profile-heading">
      <CardHeader id="profile-heading" title="Profile" />
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4 p-4" aria-labelledby="profile-heading">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Name" error={errors.name?.message}>
          {(p) => <Input {...p} autoComplete="name" {...form.register('name')} />}
        </Field>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" pending={isSubmitting} disabled={!isDirty}>
            Save name
          </Button>
        </div>
      </form>
    </Card>
  );
}

function EmailCard({ customer }: { customer: CustomerView }) {
  const invalidate = useInvalidate();
  const change = useMutation(trpc.account.changeEmail.mutationOptions());
  const { form, formError, submitting } = useServerForm(changeEmailSchema, { defaultValues: { email: '', password: '' }, fields: ['email', 'password'] });
  const submit = submitting(async (input) => {
    const result = await change.mutateAsync(input);
    form.reset();
    await invalidate('account');
    toast(`Sent a confirmation link to ${result.pendingEmail}`);
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <Card aria-labelledby="email-heading">
      <CardHeader
        id="email-heading"
        title="Email"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="break-all">{customer.email}</span>
            {customer.emailVerifiedAt ? <Badge tone="green">Verified</Badge> : <Badge tone="amber">Not verified</Badge>}
          </span>
        }
      />
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4 p-4" aria-labelledby="email-heading">
        {customer.pendingEmail && (
          <Alert tone="info">
            <span className="flex items-start gap-2">
              <MailCheck className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              <span>
                Waiting for <strong className="break-all">{customer.pendingEmail}</strong> to be confirmed: follow the link we sent there. Until then you keep signing in with {customer.email}.
              </span>
            </span>
          </Alert>
        )}
        {formError && <Alert>{formError}</Alert>}
        <Field label="New email" error={errors.email?.message} hint="We send a link to the new address; the change takes effect when it is followed.">
          {(p) => <Input {...p} type="email" autoComplete="email" inputMode="email" {...form.register('email')} />}
        </Field>
        <Field label="Current password" error={errors.password?.message}>
          {(p) => <PasswordInput {...p} autoComplete="current-password" {...form.register('password')} />}
        </Field>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" pending={isSubmitting}>
            Change email
          </Button>
        </div>
      </form>
    </Card>
  );
}

function PasswordCard() {
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const { form, formError, submitting } = useServerForm(customerChangePasswordSchema, {
    defaultValues: { currentPassword: '', newPassword: '' },
    fields: ['currentPassword', 'newPassword'],
  });
  const submit = submitting(async (input) => {
    await change.mutateAsync(input);
    form.reset();
    toast('Password changed');
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <Card aria-labelledby="password-heading">
      <CardHeader id="password-heading" title="Password" />
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4 p-4" aria-labelledby="password-heading">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Current password" error={errors.currentPassword?.message}>
          {(p) => <PasswordInput {...p} autoComplete="current-password" {...form.register('currentPassword')} />}
        </Field>
        <Field label="New password" error={errors.newPassword?.message} hint="At least 12 characters. A few unrelated words make a strong one.">
          {(p) => <PasswordInput {...p} autoComplete="new-password" {...form.register('newPassword')} />}
        </Field>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" pending={isSubmitting}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}

function SessionsCard() {
  const navigate = useNavigate();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const invalidate = useInvalidate();
  const end = useMutation(trpc.account.endSession.mutationOptions());
  const everywhere = useMutation(trpc.auth.signOutEverywhere.mutationOptions());
  const [ending, setEnding] = useState<CustomerSession | null>(null);
  const [everywhereOpen, setEverywhereOpen] = useState(false);
  return (
    <Card aria-labelledby="sessions-heading">
      <CardHeader
        id="sessions-heading"
        title="Where you are signed in"
        description="Each browser signed in to your account. End any you do not recognise, then change your password."
        actions={<Button onClick={() => setEverywhereOpen(true)}>Sign out everywhere</Button>}
      />
      {sessions.isPending ? (
        <LoadingBlock rows={3} label="Loading sessions" />
      ) : sessions.isError ? (
        <ErrorState message={errorMessage(sessions.error)} onRetry={() => void sessions.refetch()} />
      ) : (
        <ul className="divide-y divide-zinc-100" aria-label="Sessions">
          {sessions.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
              <MonitorSmartphone className="size-5 shrink-0 text-zinc-500" aria-hidden="true" />
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
                  <span title={s.userAgent ?? undefined}>{describeBrowser(s.userAgent)}</span>
                  {s.current && <Badge tone="brand">This browser</Badge>}
                </p>
                <p className="text-xs text-zinc-600">
                  {s.ip ?? 'Unknown address'} · last active <span title={formatDateTime(s.lastSeenAt)}>{formatRelative(s.lastSeenAt)}</span> · signed in {formatDateTime(s.createdAt)}
                </p>
              </div>
              {!s.current && (
                <Button size="sm" onClick={() => setEnding(s)} aria-label={`End the session of ${describeBrowser(s.userAgent)} from ${s.ip ?? 'an unknown address'}`}>
                  End
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={ending !== null}
        onOpenChange={(open) => !open && setEnding(null)}
        title="End this session?"
        description={`${describeBrowser(ending?.userAgent ?? null)} (${ending?.ip ?? 'unknown address'}) is signed out at once.`}
        confirmLabel="End session"
        onConfirm={async () => {
          if (!ending) return;
          await end.mutateAsync({ id: ending.id });
          await invalidate('account');
          toast('Session ended');
        }}
      />
      <ConfirmDialog
        open={everywhereOpen}
        onOpenChange={setEverywhereOpen}
        title="Sign out everywhere?"
        description="This ends every session of your account, in every browser, including this one. Your API keys keep working."
        confirmLabel="Sign out everywhere"
        onConfirm={async () => {
          const result = await everywhere.mutateAsync();
          toast(`Signed out of ${result.sessions} session${result.sessions === 1 ? '' : 's'}`);
          await leave(navigate);
        }}
      />
    </Card>
  );
}

function DeleteCard({ customer }: { customer: CustomerView }) {
  const [open, setOpen] = useState(false);
  return (
    <Card aria-labelledby="delete-heading" className="border-red-200">
      <CardHeader id="delete-heading" title="Delete account" />
      <div className="space-y-4 p-4 text-sm text-zinc-700">
        <p>Your keys stop working at once, you are signed out everywhere, and your name and email are removed. The record of the calls you made is kept, without them, for the operator&apos;s accounts.</p>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete my account
        </Button>
      </div>
      <DeleteAccountDialog customer={customer} open={open} onOpenChange={setOpen} />
    </Card>
  );
}

function DeleteAccountDialog({ customer, open, onOpenChange }: { customer: CustomerView; open: boolean; onOpenChange: (open: boolean) => void }) {
  const navigate = useNavigate();
  const remove = useMutation(trpc.account.delete.mutationOptions());
  const { form, formError, close, submitting } = useDialogForm(deleteAccountSchema, {
    defaultValues: { password: '', confirmEmail: '' },
    fields: ['password', 'confirmEmail'],
    onOpenChange,
  });
  const submit = submitting(async (input) => {
    await remove.mutateAsync(input);
    toast('Your account was deleted', { description: 'Thank you for using the service.' });
    await leave(navigate, '/');
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <Dialog open={open} onOpenChange={close} title="Delete your account?" description="This cannot be undone.">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <Field label="Password" error={errors.password?.message}>
          {(p) => <PasswordInput {...p} autoComplete="current-password" {...form.register('password')} />}
        </Field>
        <Field label={<>Type your email, {customer.email}, to confirm</>} error={errors.confirmEmail?.message}>
          {(p) => <Input {...p} type="email" autoComplete="off" inputMode="email" {...form.register('confirmEmail')} />}
        </Field>
        <DialogFooter>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="danger" pending={isSubmitting}>
            Delete my account
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
