import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { Alert, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { toast } from '../../ui/lib/toast.ts';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCanWrite } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_app/settings')({ component: SettingsPage });

/** What admins change at run time: for now, whether anyone can sign up on the customer portal. */
function SettingsPage() {
  const canWrite = useCanWrite();
  const settings = useQuery(trpc.admin.settings.get.queryOptions());
  const update = useMutation(trpc.admin.settings.update.mutationOptions());
  const invalidate = useInvalidate();
  const s = settings.data;
  const setSignup = (signupEnabled: boolean) =>
    update.mutate(
      { signupEnabled },
      {
        onSuccess: () => {
          toast(signupEnabled ? 'Sign-up is open' : 'Sign-up is closed');
          void invalidate('settings');
        },
        onError: (err) => toast('Could not change sign-up', { tone: 'error', description: errorMessage(err) }),
      },
    );
  return (
    <>
      <PageHeader title="Settings" description="How this server behaves for customers. Changes apply at once, on every server, and are audited." />
      <Card aria-labelledby="signup-heading">
        <CardHeader
          id="signup-heading"
          title="Portal sign-up"
          description="Whether anyone can create an account on the customer portal (at /). Admins can always create users here."
          actions={s && (s.signupOpen ? <Badge tone="green">Open</Badge> : <Badge tone="neutral">Closed</Badge>)}
        />
        {settings.isPending ? (
          <LoadingBlock rows={2} label="Loading settings" />
        ) : settings.isError ? (
          <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />
        ) : (
          <div className="space-y-4 p-4 text-sm text-zinc-700">
            {!settings.data.signupAllowedByServer && (
              <Alert tone="warn">
                The server runs with <code>SIGNUP_ENABLED=false</code>, which closes sign-up whatever this setting says. The setting still applies once that is removed.
              </Alert>
            )}
            <p>
              {settings.data.signupEnabled
                ? 'New customers can sign up on the portal, on the default tier, and create keys once they verify their email.'
                : 'The portal says sign-up is closed and to contact you for an account. Existing customers still sign in.'}
            </p>
            {canWrite && (
              <Button variant={settings.data.signupEnabled ? 'secondary' : 'primary'} pending={update.isPending} onClick={() => setSignup(!settings.data.signupEnabled)}>
                {settings.data.signupEnabled ? 'Close sign-up' : 'Open sign-up'}
              </Button>
            )}
          </div>
        )}
      </Card>
    </>
  );
}
