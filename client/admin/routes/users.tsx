import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { Plus, Search, Users as UsersIcon } from 'lucide-react';
import { useState } from 'react';
import type { USER_SORTS } from '../../../shared/admin.ts';
import { QuotaBar } from '../../ui/quota-bar.tsx';
import { Button } from '../../ui/components/button.tsx';
import { Badge, Card, PageHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock, Spinner } from '../../ui/components/feedback.tsx';
import { SearchInput, Select } from '../../ui/components/field.tsx';
import { Pagination } from '../components/ui/pagination.tsx';
import { SortTh, TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { OriginBadge, VerificationBadge } from '../features/user-badges.tsx';
import { CreateUserDialog } from '../features/user-forms.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatDate, formatNumber, formatQuota } from '../../ui/lib/format.ts';
import { useCanWrite } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';
import { useSearchText } from '../lib/use-search-text.ts';

export const Route = createLazyRoute('/_app/users')({ component: UsersPage });

const PAGE_SIZE = 25;
type Sort = (typeof USER_SORTS)[number];

function UsersPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const canWrite = useCanWrite();
  const [creating, setCreating] = useState(false);
  const [q, setQ] = useSearchText(search.q, (next) => void navigate({ search: (s) => ({ ...s, q: next, page: 1 }), replace: true }));

  const tiers = useQuery(trpc.admin.tiers.list.queryOptions());
  const users = useQuery({
    ...trpc.admin.users.list.queryOptions({ search: search.q, status: search.status, tierId: search.tier, sort: search.sort, order: search.order, page: search.page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  const sortBy = (sort: Sort) =>
    void navigate({ search: (s) => ({ ...s, sort, order: s.sort === sort && s.order === 'asc' ? 'desc' : s.sort === sort ? 'asc' : sort === 'createdAt' || sort === 'used' ? 'desc' : 'asc', page: 1 }) });

  const filtered = Boolean(search.q || search.status || search.tier);

  return (
    <>
      <PageHeader
        title="Users"
        description="The customers who hold API keys, with their tier and this month's usage."
        actions={
          canWrite && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden="true" /> New user
            </Button>
          )
        }
      />
      <Card>
        <div className="flex flex-col gap-3 border-b border-zinc-100 p-3 sm:flex-row sm:items-center">
          <SearchInput value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search by email or name" label="Search users" className="flex-1" />
          <div className="flex gap-3">
            <Select aria-label="Filter by status" value={search.status ?? ''} onChange={(e) => void navigate({ search: (s) => ({ ...s, status: (e.target.value || undefined) as 'active' | 'suspended' | undefined, page: 1 }) })} className="sm:w-40">
              <option value="">All statuses</option>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
            </Select>
            <Select aria-label="Filter by tier" value={search.tier ?? ''} onChange={(e) => void navigate({ search: (s) => ({ ...s, tier: e.target.value || undefined, page: 1 }) })} className="sm:w-40">
              <option value="">All tiers</option>
              {tiers.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </div>
          {users.isFetching && !users.isPending && <Spinner className="hidden size-4 text-zinc-400 sm:block" label="Updating" />}
        </div>

        {users.isPending ? (
          <LoadingBlock rows={8} label="Loading users" />
        ) : users.isError ? (
          <ErrorState message={errorMessage(users.error)} onRetry={() => void users.refetch()} />
        ) : users.data.items.length === 0 ? (
          filtered ? (
            <EmptyState title="No users match" icon={<Search className="size-5" aria-hidden="true" />} action={<Button onClick={() => { setQ(''); void navigate({ search: {} }); }}>Clear filters</Button>}>
              Try another search, or clear the filters.
            </EmptyState>
          ) : (
            <EmptyState title="No users yet" icon={<UsersIcon className="size-5" aria-hidden="true" />} action={canWrite && <Button variant="primary" onClick={() => setCreating(true)}>New user</Button>}>
              Create a user, then give them an API key.
            </EmptyState>
          )
        ) : (
          <>
            <Table label="Users">
              <THead>
                <tr>
                  <SortTh label="Email" active={search.sort === 'email'} order={search.order} onSort={() => sortBy('email')} />
                  <SortTh label="Name" active={search.sort === 'name'} order={search.order} onSort={() => sortBy('name')} />
                  <Th>Tier</Th>
                  <Th>Status</Th>
                  <Th>Origin</Th>
                  <Th>Email</Th>
                  <SortTh label="Used this month" active={search.sort === 'used'} order={search.order} onSort={() => sortBy('used')} />
                  <Th className="text-right">Keys</Th>
                  <SortTh label="Created" active={search.sort === 'createdAt'} order={search.order} onSort={() => sortBy('createdAt')} />
                </tr>
              </THead>
              <TBody>
                {users.data.items.map((u) => (
                  <tr key={u.id} className="hover:bg-zinc-50">
                    <Td>
                      <Link to="/users/$userId" params={{ userId: u.id }} className="font-medium text-zinc-900 hover:text-brand-700 hover:underline">
                        {u.email}
                      </Link>
                    </Td>
                    <Td className="text-zinc-700">{u.name}</Td>
                    <Td>
                      <Badge>{u.tier}</Badge>
                    </Td>
                    <Td>{u.status === 'active' ? <Badge tone="green">Active</Badge> : <Badge tone="red">Suspended</Badge>}</Td>
                    <Td>
                      <OriginBadge user={u} />
                    </Td>
                    <Td>
                      <VerificationBadge user={u} />
                    </Td>
                    <Td className="min-w-44">
                      <div className="text-xs tabular-nums text-zinc-600">
                        {formatNumber(u.usedThisPeriod)} / {formatQuota(u.tierQuota)}
                      </div>
                      <div className="mt-1 w-36">
                        <QuotaBar used={u.usedThisPeriod} limit={u.tierQuota} compact />
                      </div>
                    </Td>
                    <Td className="text-right tabular-nums">{formatNumber(u.activeKeys)}</Td>
                    <Td className="text-zinc-600">{formatDate(u.createdAt)}</Td>
                  </tr>
                ))}
              </TBody>
            </Table>
            <Pagination page={search.page} pageSize={PAGE_SIZE} total={users.data.total} noun="users" onPage={(page) => void navigate({ search: (s) => ({ ...s, page }) })} />
          </>
        )}
      </Card>
      <CreateUserDialog open={creating} onOpenChange={setCreating} onCreated={(user) => void navigate({ to: '/users/$userId', params: { userId: user.id } })} />
    </>
  );
}
