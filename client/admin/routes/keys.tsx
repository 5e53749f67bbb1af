import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { ChevronRight, KeyRound } from 'lucide-react';
import { useState } from 'react';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { SearchInput } from '../../ui/components/field.tsx';
import { KeysPanel } from '../features/keys.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatNumber } from '../../ui/lib/format.ts';
import { useCanWrite } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';
import { useSearchText } from '../lib/use-search-text.ts';
import { cx } from '../../ui/components/cx.ts';

export const Route = createLazyRoute('/_app/keys')({ component: KeysPage });

/** Keys belong to users: pick a user on the left, manage their keys on the right. */
function KeysPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const canWrite = useCanWrite();
  const [q, setQ] = useSearchText(search.q, (next) => void navigate({ search: (s) => ({ ...s, q: next }), replace: true }));
  // Below 2xl the picker and the keys stack: once a user is chosen, the picker folds away until "Change user".
  const [picking, setPicking] = useState(false);
  const users = useQuery({ ...trpc.admin.users.list.queryOptions({ search: search.q, sort: 'used', order: 'desc', pageSize: 12 }), placeholderData: keepPreviousData });
  const selected = useQuery({ ...trpc.admin.users.get.queryOptions({ id: search.user ?? '' }), enabled: Boolean(search.user) });

  return (
    <>
      <PageHeader title="API keys" description="Every key belongs to a user and shares their monthly quota. Pick a user to create, rotate or revoke their keys." />
      <div className="grid grid-cols-1 gap-6 2xl:grid-cols-[20rem_minmax(0,1fr)]">
        <Card aria-labelledby="pick-user" className={cx('self-start', search.user && !picking && 'hidden 2xl:block')}>
          <CardHeader id="pick-user" title="Users" description="Busiest first this month" />
          <div className="border-b border-zinc-100 p-3">
            <SearchInput value={q} onChange={(e) => setQ(e.target.value)} placeholder="Find a user" label="Find a user" />
          </div>
          {users.isPending ? (
            <LoadingBlock rows={5} label="Loading users" />
          ) : users.isError ? (
            <ErrorState message={errorMessage(users.error)} onRetry={() => void users.refetch()} />
          ) : users.data.items.length === 0 ? (
            <EmptyState title={search.q ? 'No users match' : 'No users yet'}>{!search.q && <Link to="/users" className="text-brand-600 underline">Create a user first.</Link>}</EmptyState>
          ) : (
            <ul className="max-h-[28rem] divide-y divide-zinc-100 overflow-y-auto" aria-label="Users">
              {users.data.items.map((u) => (
                <li key={u.id}>
                  <Link
                    to="/keys"
                    search={(s) => ({ ...s, user: u.id })}
                    onClick={() => setPicking(false)}
                    aria-current={u.id === search.user ? 'true' : undefined}
                    className={cx('flex items-center gap-3 px-4 py-2.5 hover:bg-zinc-50', u.id === search.user && 'bg-brand-50')}
                  >
                    <div className="min-w-0 flex-1">
                      <p className="truncate text-sm font-medium text-zinc-900">{u.email}</p>
                      <p className="text-xs text-zinc-500">
                        {u.tier} · {formatNumber(u.activeKeys)} active key{u.activeKeys === 1 ? '' : 's'}
                      </p>
                    </div>
                    <ChevronRight className="size-4 text-zinc-400" aria-hidden="true" />
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <div>
          {!search.user ? (
            <Card>
              <EmptyState title="Pick a user" icon={<KeyRound className="size-5" aria-hidden="true" />}>
                Their keys appear here, with the masked id, last use and usage count of each.
              </EmptyState>
            </Card>
          ) : (
            <div className="space-y-3">
              {selected.data && (
                <div className="flex flex-wrap items-center gap-2 text-sm text-zinc-600">
                  <Link to="/users/$userId" params={{ userId: selected.data.user.id }} className="font-medium text-zinc-900 hover:underline">
                    {selected.data.user.email}
                  </Link>
                  <Badge>{selected.data.user.tier}</Badge>
                  {selected.data.user.status === 'suspended' && <Badge tone="red">Suspended</Badge>}
                  {!picking && (
                    <Button size="sm" variant="ghost" className="2xl:hidden" onClick={() => setPicking(true)}>
                      Change user
                    </Button>
                  )}
                </div>
              )}
              {selected.isError ? (
                <Card>
                  <ErrorState message={errorMessage(selected.error)} />
                </Card>
              ) : (
                <KeysPanel userId={search.user} canWrite={canWrite && selected.data?.user.status !== 'suspended'} title={selected.data ? `Keys of ${selected.data.user.name}` : 'API keys'} />
              )}
            </div>
          )}
        </div>
      </div>
    </>
  );
}
