import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { CreditCard, RefreshCw, RotateCw } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { BILLING_EVENT_STATES, type BillingEventDetail, type BillingEventState, type BillingStatus } from '../../../shared/billing.ts';
import { Button } from '../../ui/components/button.tsx';
import { CursorPager } from '../../ui/components/pager.tsx';
import { Badge, Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { CopyButton } from '../../ui/components/copy.tsx';
import { Drawer } from '../../ui/components/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock, Spinner } from '../../ui/components/feedback.tsx';
import { SearchInput } from '../../ui/components/field.tsx';
import { Segmented } from '../../ui/components/segmented.tsx';
import { errorMessage, readError } from '../../ui/lib/errors.ts';
import { formatDateTime, formatNumber, formatRelative } from '../../ui/lib/format.ts';
import { toast } from '../../ui/lib/toast.ts';
import { useNow } from '../../ui/lib/use-now.ts';
import { BillingEventsTable, EVENT_STATES, EventStateBadge } from '../features/billing-events.tsx';
import { BillingOff } from '../features/billing-off.tsx';
import { useBillingStatus } from '../lib/billing.ts';
import { useInvalidate } from '../lib/invalidation.ts';
import { useCanWrite } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_app/billing')({ component: BillingPage });

const PAGE = 50;

/**
 * Billing through Lemon Squeezy: whether it is on and when the reconciler last
 * ran (with "Sync now"), and the stored webhook deliveries by processing state,
 * each with its raw body, a replay, and for an unmatched one, assigning it to a user.
 */
function BillingPage() {
  const { status, off } = useBillingStatus();
  return (
    <>
      <PageHeader title="Billing" description="Subscriptions through Lemon Squeezy: the webhooks received, how each was processed, and the reconciler that corrects what a missed one left wrong." />
      {off ? (
        <BillingOff />
      ) : status.isError ? (
        <Card>
          <ErrorState message={errorMessage(status.error)} onRetry={() => void status.refetch()} />
        </Card>
      ) : !status.data ? (
        <Card>
          <LoadingBlock rows={4} label="Loading billing" />
        </Card>
      ) : (
        <div className="space-y-6">
          <StatusCard status={status.data} />
          <EventsCard />
          <EventDrawer />
        </div>
      )}
    </>
  );
}

function StatusCard({ status }: { status: BillingStatus }) {
  const canWrite = useCanWrite();
  const invalidate = useInvalidate();
  const now = useNow();
  const sync = useMutation(trpc.admin.billing.sync.mutationOptions());
  const last = status.lastReconciliation;
  const run = () =>
    sync.mutate(undefined, {
      onSuccess: async (r) => {
        await invalidate('billing');
        toast(`Checked ${formatNumber(r.checked)} subscription${r.checked === 1 ? '' : 's'}`, {
          description: `${formatNumber(r.drifted)} corrected${r.unmatched ? `, ${formatNumber(r.unmatched)} unmatched` : ''}, ${formatNumber(r.pages)} page${r.pages === 1 ? '' : 's'} read.`,
        });
      },
      onError: (err) => toast('The reconciliation failed', { tone: 'error', description: errorMessage(err) }),
    });
  return (
    <Card aria-labelledby="billing-status-heading">
      <CardHeader
        id="billing-status-heading"
        title="Lemon Squeezy"
        description={<Badge tone="green">Enabled</Badge>}
        actions={
          canWrite && (
            <Button onClick={run} pending={sync.isPending}>
              <RefreshCw className="size-4" aria-hidden="true" /> Sync now
            </Button>
          )
        }
      />
      <dl className="grid grid-cols-1 gap-x-6 divide-y divide-zinc-100 text-sm sm:grid-cols-2 sm:divide-y-0">
        {(
          [
            ['Store', status.storeId ?? '—'],
            ['API', status.apiUrl],
            ['Grace period after a failed payment', `${status.graceDays} day${status.graceDays === 1 ? '' : 's'}`],
            ['Reconciliation', `Every ${status.reconcileEveryMinutes} minute${status.reconcileEveryMinutes === 1 ? '' : 's'}`],
            ['Last reconciliation', last ? `${formatDateTime(last.at)} (${formatRelative(last.at, now)})` : 'Not run yet'],
            ['Last result', last ? `${formatNumber(last.checked)} checked, ${formatNumber(last.drifted)} corrected` : '—'],
          ] as const
        ).map(([k, v]) => (
          <div key={k} className="flex justify-between gap-4 px-4 py-2.5">
            <dt className="text-zinc-500">{k}</dt>
            <dd className="min-w-0 truncate text-right font-medium text-zinc-900" title={v}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
      {last?.error && (
        <div className="px-4 pb-4">
          <Alert title="The last reconciliation failed">{last.error}</Alert>
        </div>
      )}
    </Card>
  );
}

type Filter = BillingEventState | 'all';

function EventsCard() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const list = useQuery({ ...trpc.admin.billing.events.queryOptions({ state: search.state, cursor: search.cursor, limit: PAGE }), placeholderData: keepPreviousData });
  const counts = list.data?.counts;
  const total = counts ? BILLING_EVENT_STATES.reduce((n, s) => n + (counts[s] ?? 0), 0) : undefined;
  const label = (name: string, n: number | undefined) => (n === undefined ? name : `${name} (${formatNumber(n)})`);
  const filter: Filter = search.state ?? 'all';
  return (
    <Card aria-labelledby="events-heading">
      <CardHeader
        id="events-heading"
        title="Webhook events"
        description={search.state ? EVENT_STATES[search.state].hint : 'Every delivery Lemon Squeezy made, newest first'}
        actions={list.isFetching && <Spinner className="size-4" label="Updating" />}
      />
      <div className="overflow-x-auto border-b border-zinc-100 px-4 py-3">
        <Segmented<Filter>
          label="Show events"
          value={filter}
          onChange={(v) => void navigate({ search: (s) => ({ ...s, state: v === 'all' ? undefined : v, cursor: undefined }), replace: true })}
          options={[{ value: 'all', label: label('All', total) }, ...BILLING_EVENT_STATES.map((s) => ({ value: s, label: label(EVENT_STATES[s].label, counts?.[s]) }))]}
        />
      </div>
      {list.isPending ? (
        <LoadingBlock rows={6} label="Loading events" />
      ) : list.isError ? (
        <ErrorState message={errorMessage(list.error)} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title={search.state ? `No ${EVENT_STATES[search.state].label.toLowerCase()} events` : 'No webhooks received yet'} icon={<CreditCard className="size-5" aria-hidden="true" />}>
          {search.state ? undefined : 'Point a Lemon Squeezy webhook at /api/v1/billing/lemonsqueezy with the signing secret in LEMONSQUEEZY_WEBHOOK_SECRET.'}
        </EmptyState>
      ) : (
        <>
          <BillingEventsTable events={list.data.items} label="Webhook events" />
          <CursorPager
            label="Pages of webhook events"
            onOlderPage={Boolean(search.cursor)}
            onNewest={() => void navigate({ search: (s) => ({ ...s, cursor: undefined }) })}
            older={list.data.nextCursor === null ? null : () => void navigate({ search: (s) => ({ ...s, cursor: list.data.nextCursor ?? undefined }) })}
          />
        </>
      )}
    </Card>
  );
}

/** One delivery, opened from the table (`?event=`): its fields, its raw body, Replay, and Assign for an unmatched one. */
function EventDrawer() {
  const { event: id } = Route.useSearch();
  const navigate = Route.useNavigate();
  const close = () => void navigate({ search: (s) => ({ ...s, event: undefined }), replace: true });
  return (
    <Drawer open={id !== undefined} onOpenChange={(open) => !open && close()} title="Webhook event">
      {id && <EventDetail id={id} />}
    </Drawer>
  );
}

function EventDetail({ id }: { id: string }) {
  const canWrite = useCanWrite();
  const invalidate = useInvalidate();
  const event = useQuery(trpc.admin.billing.event.queryOptions({ id }));
  const replay = useMutation(trpc.admin.billing.replay.mutationOptions());
  if (event.isPending) return <LoadingBlock rows={6} label="Loading the event" />;
  if (event.isError) {
    const notFound = readError(event.error).httpStatus === 404;
    return <ErrorState title={notFound ? 'No such event' : undefined} message={notFound ? 'This event does not exist.' : errorMessage(event.error)} onRetry={notFound ? undefined : () => void event.refetch()} />;
  }
  const e = event.data;
  const doReplay = () =>
    replay.mutate(
      { id },
      {
        onSuccess: async (after) => {
          await invalidate('billing');
          toast(`Replayed ${after.eventName}`, { description: `Now ${EVENT_STATES[after.state].label.toLowerCase()}${after.detail ? `: ${after.detail}` : ''}.` });
        },
        onError: (err) => toast('The replay failed', { tone: 'error', description: errorMessage(err) }),
      },
    );
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-sm font-semibold text-zinc-900">{e.eventName}</span>
        <EventStateBadge state={e.state} />
        {e.testMode && <Badge>Test mode</Badge>}
      </div>
      {e.detail && (
        <Alert tone={e.state === 'failed' ? 'error' : e.state === 'unmatched' ? 'warn' : 'info'} title={e.state === 'failed' ? 'Why it failed' : e.state === 'unmatched' ? 'Why it is unmatched' : 'Detail'}>
          {e.detail}
        </Alert>
      )}
      <EventFields event={e} />
      {canWrite && (
        <div className="flex flex-wrap gap-2">
          <Button onClick={doReplay} pending={replay.isPending}>
            <RotateCw className="size-4" aria-hidden="true" /> Replay
          </Button>
        </div>
      )}
      {canWrite && e.state === 'unmatched' && <AssignToUser event={e} />}
      <section aria-labelledby="raw-body-heading">
        <div className="mb-2 flex items-center justify-between gap-2">
          <h3 id="raw-body-heading" className="text-sm font-semibold text-zinc-900">
            Raw body
          </h3>
          <CopyButton text={e.body} label="Copy body" />
        </div>
        <p className="mb-2 text-xs text-zinc-500">Exactly as received: the bytes the signature covered.</p>
        <pre aria-labelledby="raw-body-heading" tabIndex={0} className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded-lg bg-zinc-900 p-3 text-xs leading-relaxed text-zinc-100">
          {e.body}
        </pre>
      </section>
    </div>
  );
}

function EventFields({ event: e }: { event: BillingEventDetail }) {
  const rows: [string, ReactNode][] = [
    ['Received', formatDateTime(e.receivedAt)],
    ['Processed', e.processedAt ? formatDateTime(e.processedAt) : 'Not yet'],
    ['Attempts', formatNumber(e.attempts)],
    ['Resource', `${e.resourceType}/${e.resourceId}`],
    ['Subscription', e.subscriptionId ?? '—'],
    [
      'User',
      e.userId ? (
        <Link to="/users/$userId" params={{ userId: e.userId }} search={{ tab: 'billing' }} className="text-brand-700 hover:underline">
          {e.userEmail ?? e.userId}
        </Link>
      ) : (
        'None matched'
      ),
    ],
    ['Email in the payload', e.payloadEmail ?? '—'],
    ['Webhook id', e.webhookId ?? '—'],
  ];
  return (
    <dl className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 text-sm">
      {rows.map(([k, v]) => (
        <div key={k} className="flex justify-between gap-4 px-3 py-2">
          <dt className="shrink-0 text-zinc-500">{k}</dt>
          <dd className="min-w-0 break-all text-right font-medium text-zinc-900">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An unmatched delivery goes to the user an admin picks (searched by email); it is then applied, and the subscription's later events follow. */
function AssignToUser({ event }: { event: BillingEventDetail }) {
  const invalidate = useInvalidate();
  const [text, setText] = useState(event.payloadEmail ?? '');
  const [q, setQ] = useState(text.trim());
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const users = useQuery({ ...trpc.admin.users.list.queryOptions({ search: q || undefined, pageSize: 8 }), enabled: q.length > 0, placeholderData: keepPreviousData });
  const assign = useMutation(trpc.admin.billing.assign.mutationOptions());
  const choose = (userId: string, email: string) =>
    assign.mutate(
      { id: event.id, userId },
      {
        onSuccess: async (after) => {
          await invalidate('billing');
          toast(`Assigned to ${email}`, { description: `The event is ${EVENT_STATES[after.state].label.toLowerCase()}${after.detail ? `: ${after.detail}` : ''}.` });
        },
        onError: (err) => toast('Could not assign the event', { tone: 'error', description: errorMessage(err) }),
      },
    );
  return (
    <section aria-labelledby="assign-heading" className="rounded-lg border border-amber-200 bg-amber-50/50 p-3">
      <h3 id="assign-heading" className="text-sm font-semibold text-zinc-900">
        Assign to user
      </h3>
      <p className="mb-2 mt-0.5 text-xs text-zinc-600">The event is applied to the user you pick, and later events of this subscription follow them.</p>
      <SearchInput label="Search users by email" placeholder="Email or name" value={text} onChange={(e) => setText(e.target.value)} />
      {q.length > 0 && (
        <div className="mt-2">
          {users.isPending ? (
            <LoadingBlock rows={2} label="Searching users" />
          ) : users.isError ? (
            <ErrorState message={errorMessage(users.error)} onRetry={() => void users.refetch()} />
          ) : users.data.items.length === 0 ? (
            <p className="py-2 text-sm text-zinc-600">No user matches “{q}”.</p>
          ) : (
            <ul aria-label="Matching users" className="divide-y divide-zinc-100 rounded-md border border-zinc-200 bg-white">
              {users.data.items.map((u) => (
                <li key={u.id} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                  <span className="min-w-0">
                    <span className="block truncate font-medium text-zinc-900">{u.email}</span>
                    <span className="block truncate text-xs text-zinc-500">
                      {u.name} · {u.tier}
                    </span>
                  </span>
                  <Button size="sm" variant="primary" pending={assign.isPending && assign.variables.userId === u.id} disabled={assign.isPending} onClick={() => choose(u.id, u.email)} aria-label={`Assign to ${u.email}`}>
                    Assign
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
