import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link, useNavigate } from '@tanstack/react-router';
import { ChevronLeft, MoreHorizontal } from 'lucide-react';
import { useState } from 'react';
import { QuotaBar } from '../../ui/quota-bar.tsx';
import { UsageReport } from '../../ui/usage-report.tsx';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { ConfirmDialog } from '../../ui/components/dialog.tsx';
import { EmptyState, ErrorState, LoadingBlock, Skeleton } from '../../ui/components/feedback.tsx';
import { TabPanel, Tabs } from '../../ui/components/tabs.tsx';
import { AlertFeedCard } from '../features/alert-feed.tsx';
import { AuditTable, type AuditEvent } from '../features/audit-table.tsx';
import { KeysPanel } from '../features/keys.tsx';
import { UserBillingPanel } from '../features/user-billing.tsx';
import { OriginBadge, VerificationBadge } from '../features/user-badges.tsx';
import { UserWebhooksPanel } from '../features/user-webhooks.tsx';
import { EditUserDialog, type UserView } from '../features/user-forms.tsx';
import { errorMessage, readError } from '../../ui/lib/errors.ts';
import { formatDate, formatQuota } from '../../ui/lib/format.ts';
import { useCanWrite } from '../lib/session.ts';
import { toast } from '../../ui/lib/toast.ts';
import { trpc } from '../lib/trpc.ts';
import { useInvalidate } from '../lib/invalidation.ts';

export const Route = createLazyRoute('/_app/users/$userId')({ component: UserPage });

const DAYS = 30;

function UserPage() {
  const { userId } = Route.useParams();
  const { tab } = Route.useSearch();
  const navigate = Route.useNavigate();
  const canWrite = useCanWrite();
  const user = useQuery(trpc.admin.users.get.queryOptions({ id: userId }));

  if (user.isPending) {
    return (
      <>
        <Skeleton className="mb-2 h-4 w-24" />
        <Skeleton className="mb-6 h-8 w-64" />
        <Card>
          <LoadingBlock rows={6} label="Loading user" />
        </Card>
      </>
    );
  }
  if (user.isError) {
    const notFound = readError(user.error).httpStatus === 404;
    return (
      <Card>
        <ErrorState title={notFound ? 'No such user' : undefined} message={notFound ? 'This user does not exist, or was deleted.' : errorMessage(user.error)} onRetry={notFound ? undefined : () => void user.refetch()} />
      </Card>
    );
  }
  const { user: u, quota } = user.data;
  return (
    <>
      <PageHeader
        title={u.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>{u.email}</span>
            <Badge>{u.tier}</Badge>
            {u.status === 'active' ? <Badge tone="green">Active</Badge> : <Badge tone="red">Suspended</Badge>}
            <OriginBadge user={u} />
            <VerificationBadge user={u} />
          </span>
        }
        actions={canWrite && <UserActions user={u} />}
      >
        <Link to="/users" className="mb-2 inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900">
          <ChevronLeft className="size-4" aria-hidden="true" /> Users
        </Link>
      </PageHeader>
      {u.status === 'suspended' && <p className="-mt-3 mb-5 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">This user is suspended: every key of theirs gets 403 until they are reactivated.</p>}
      <Tabs
        label="User sections"
        value={tab}
        onValueChange={(t) => void navigate({ search: { tab: t }, replace: true })}
        tabs={[
          { value: 'overview', label: 'Overview' },
          { value: 'keys', label: 'API keys' },
          { value: 'billing', label: 'Billing' },
          { value: 'webhooks', label: 'Webhooks' },
          { value: 'activity', label: 'Activity' },
        ]}
      >
        <TabPanel value="overview" className="pt-6">
          <Overview userId={userId} user={u} quota={quota} />
        </TabPanel>
        <TabPanel value="keys" className="pt-6">
          <KeysPanel userId={userId} canWrite={canWrite && u.status === 'active'} />
        </TabPanel>
        <TabPanel value="billing" className="pt-6">
          <UserBillingPanel userId={userId} />
        </TabPanel>
        <TabPanel value="webhooks" className="pt-6">
          <UserWebhooksPanel userId={userId} canWrite={canWrite} />
        </TabPanel>
        <TabPanel value="activity" className="pt-6">
          <Activity userId={userId} />
        </TabPanel>
      </Tabs>
    </>
  );
}

type Quota = { limit: number | null; used: number; remaining: number | null; resetAt: string; tier: string };

function Overview({ userId, user, quota }: { userId: string; user: UserView; quota: Quota }) {
  const analytics = useQuery(trpc.admin.analytics.user.queryOptions({ userId, days: DAYS }));
  const usage = analytics.data?.usage;
  return (
    <div className="space-y-6">
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <Card aria-labelledby="quota-heading" className="lg:col-span-2">
          <CardHeader id="quota-heading" title="This month's quota" description={`${quota.tier}: ${formatQuota(quota.limit)} requests a month, shared by all of this user's keys`} />
          <div className="p-4">
            <QuotaBar used={quota.used} limit={quota.limit} resetAt={quota.resetAt} />
          </div>
        </Card>
        <Card aria-labelledby="profile-heading">
          <CardHeader id="profile-heading" title="Profile" />
          <dl className="divide-y divide-zinc-100 text-sm">
            {[
              ['Email', user.email],
              ['Name', user.name],
              ['Tier', user.tier],
              ['Status', user.status === 'active' ? 'Active' : 'Suspended'],
              ['Origin', user.origin === 'signup' ? 'Signed up on the portal' : 'Created by an admin'],
              ['Email verified', user.emailVerifiedAt ? formatDate(user.emailVerifiedAt) : 'Not yet'],
              ['Created', formatDate(user.createdAt)],
            ].map(([k, v]) => (
              <div key={k} className="flex justify-between gap-4 px-4 py-2.5">
                <dt className="text-zinc-500">{k}</dt>
                <dd className="truncate text-right font-medium text-zinc-900">{v}</dd>
              </div>
            ))}
            <div className="flex justify-between gap-4 px-4 py-2.5">
              <dt className="text-zinc-500">Id</dt>
              <dd className="truncate font-mono text-xs text-zinc-600">{user.id}</dd>
            </div>
          </dl>
        </Card>
      </div>

      <AlertFeedCard userId={userId} limit={50} />

      {analytics.isError ? (
        <Card>
          <ErrorState message={errorMessage(analytics.error)} onRetry={() => void analytics.refetch()} />
        </Card>
      ) : (
        <UsageReport usage={usage} days={DAYS} empty="Calls with this user's keys appear here." />
      )}
    </div>
  );
}

/** The user's trail: events about the user and about their keys, newest first, in one query. */
function Activity({ userId }: { userId: string }) {
  const trail = useQuery(trpc.admin.audit.list.queryOptions({ userId, limit: 100 }));
  const pending = trail.isPending;
  const failed = trail.error;
  const events: AuditEvent[] = trail.data?.items ?? [];
  return (
    <Card aria-labelledby="activity-heading">
      <CardHeader
        id="activity-heading"
        title="Audit trail"
        description="Changes to this user and their keys, newest first"
        actions={
          <Link to="/audit" search={{ targetId: userId }} className="text-sm font-medium text-brand-600 hover:underline">
            Open in the audit log
          </Link>
        }
      />
      {failed ? (
        <ErrorState message={errorMessage(failed)} onRetry={() => void trail.refetch()} />
      ) : pending ? (
        <LoadingBlock rows={4} label="Loading activity" />
      ) : events.length === 0 ? (
        <EmptyState title="No activity yet" />
      ) : (
        <AuditTable events={events} label="Audit trail" />
      )}
    </Card>
  );
}

const menuItem = 'flex cursor-pointer select-none items-center gap-2 rounded-md px-2.5 py-2 text-sm outline-none data-[highlighted]:bg-zinc-100';

function UserActions({ user }: { user: UserView }) {
  const navigate = useNavigate();
  const [editing, setEditing] = useState<null | 'name' | 'tierId'>(null);
  const [confirm, setConfirm] = useState<null | 'suspend' | 'reactivate' | 'reset' | 'delete'>(null);
  const suspend = useMutation(trpc.admin.users.suspend.mutationOptions());
  const reactivate = useMutation(trpc.admin.users.reactivate.mutationOptions());
  const resetUsage = useMutation(trpc.admin.analytics.resetUsage.mutationOptions());
  const remove = useMutation(trpc.admin.users.delete.mutationOptions());
  const resend = useMutation(trpc.admin.users.resendVerification.mutationOptions());
  const invalidate = useInvalidate();
  const refresh = () => invalidate('users');
  const confirmations = {
    suspend: {
      title: `Suspend ${user.email}?`,
      description: 'Every key of theirs gets 403 at once, on every server, until you reactivate them. Nothing is deleted.',
      label: 'Suspend',
      run: async () => {
        await suspend.mutateAsync({ id: user.id });
        toast(`Suspended ${user.email}`);
      },
    },
    reactivate: {
      title: `Reactivate ${user.email}?`,
      description: 'Their keys work again from the next request.',
      label: 'Reactivate',
      run: async () => {
        await reactivate.mutateAsync({ id: user.id });
        toast(`Reactivated ${user.email}`);
      },
    },
    reset: {
      title: `Reset this month's usage for ${user.email}?`,
      description: 'Their count for this month starts again at zero. The usage history (ledger) is kept, and the reset is audited.',
      label: 'Reset usage',
      run: async () => {
        await resetUsage.mutateAsync({ userId: user.id });
        toast('Usage reset');
      },
    },
    delete: {
      title: `Delete ${user.email}?`,
      description: 'Their keys are revoked at once and the user disappears from lists. Their usage history is kept for analytics. This cannot be undone.',
      label: 'Delete user',
      run: async () => {
        await remove.mutateAsync({ id: user.id });
        toast(`Deleted ${user.email}`);
        await navigate({ to: '/users' });
      },
    },
  } as const;
  const c = confirm ? confirmations[confirm] : null;
  return (
    <>
      <Button onClick={() => setEditing('tierId')}>Change tier</Button>
      {user.status === 'active' ? <Button onClick={() => setConfirm('suspend')}>Suspend</Button> : <Button variant="primary" onClick={() => setConfirm('reactivate')}>Reactivate</Button>}
      <DropdownMenu.Root>
        <DropdownMenu.Trigger asChild>
          <Button aria-label="More actions">
            <MoreHorizontal className="size-4" aria-hidden="true" />
          </Button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={6} className="z-50 w-52 rounded-lg border border-zinc-200 bg-white p-1 shadow-lg">
            <DropdownMenu.Item className={menuItem} onSelect={() => setEditing('name')}>
              Edit name and email
            </DropdownMenu.Item>
            <DropdownMenu.Item className={menuItem} onSelect={() => setConfirm('reset')}>
              Reset this month's usage
            </DropdownMenu.Item>
            {!user.emailVerifiedAt && (
              <DropdownMenu.Item
                className={menuItem}
                onSelect={() =>
                  resend.mutate(
                    { id: user.id },
                    {
                      onSuccess: () => {
                        toast(`Sent a verification link to ${user.email}`);
                        void refresh();
                      },
                      onError: (err) => toast('Could not send the verification email', { tone: 'error', description: errorMessage(err) }),
                    },
                  )
                }
              >
                Resend verification email
              </DropdownMenu.Item>
            )}
            <DropdownMenu.Separator className="my-1 h-px bg-zinc-100" />
            <DropdownMenu.Item className={`${menuItem} text-red-700 data-[highlighted]:bg-red-50`} onSelect={() => setConfirm('delete')}>
              Delete user
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <EditUserDialog user={user} open={editing !== null} focus={editing ?? 'name'} onOpenChange={(open) => !open && setEditing(null)} />
      <ConfirmDialog
        open={c !== null}
        onOpenChange={(open) => !open && setConfirm(null)}
        title={c?.title ?? ''}
        description={c?.description ?? ''}
        confirmLabel={c?.label ?? ''}
        tone={confirm === 'reactivate' ? 'primary' : 'danger'}
        onConfirm={async () => {
          await c?.run();
          await refresh();
        }}
      />
    </>
  );
}
