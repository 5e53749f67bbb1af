import { useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { ScrollText, X } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button } from '../../ui/components/button.tsx';
import { CursorPager } from '../../ui/components/pager.tsx';
import { Card, PageHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { Field, Input, Select } from '../../ui/components/field.tsx';
import { AuditTable } from '../features/audit-table.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { auditInput, type AuditSearch } from '../lib/search.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_app/audit')({ component: AuditPage });

/** Action filters: a prefix ending in "." matches every action of that kind. */
const ACTIONS: { value: string; label: string }[] = [
  { value: 'user.', label: 'Users: any' },
  { value: 'user.created', label: 'user.created' },
  { value: 'user.updated', label: 'user.updated' },
  { value: 'user.tier_changed', label: 'user.tier_changed' },
  { value: 'user.suspended', label: 'user.suspended' },
  { value: 'user.reactivated', label: 'user.reactivated' },
  { value: 'user.deleted', label: 'user.deleted' },
  { value: 'key.', label: 'Keys: any' },
  { value: 'key.created', label: 'key.created' },
  { value: 'key.rotated', label: 'key.rotated' },
  { value: 'key.revoked', label: 'key.revoked' },
  { value: 'key.expired', label: 'key.expired' },
  { value: 'tier.', label: 'Tiers: any' },
  { value: 'kb.', label: 'Knowledge base: any' },
  { value: 'usage.reset', label: 'usage.reset' },
  { value: 'admin.', label: 'Admins and sign-ins: any' },
];

const TARGET_TYPES = ['user', 'api_key', 'management_key', 'tier', 'kb_entry', 'admin'];

type FilterKey = 'actor' | 'action' | 'targetType' | 'targetId' | 'from' | 'to';
type Filters = Partial<Record<FilterKey, string>>;
const KEYS: FilterKey[] = ['actor', 'action', 'targetType', 'targetId', 'from', 'to'];
const toDraft = (s: AuditSearch): Record<FilterKey, string> => Object.fromEntries(KEYS.map((k) => [k, s[k] ?? ''])) as Record<FilterKey, string>;

function AuditPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const [draft, setDraft] = useState(() => toDraft(search));
  const [lastSearch, setLastSearch] = useState(search);
  // The URL is the truth: when it changes (back button, a link from elsewhere), the form follows it.
  if (lastSearch !== search) {
    setLastSearch(search);
    setDraft(toDraft(search));
  }
  const list = useQuery(trpc.admin.audit.list.queryOptions(auditInput(search)));
  const filtered = KEYS.some((k) => Boolean(search[k]));

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next: Filters = {};
    for (const k of KEYS) if (draft[k].trim()) next[k] = draft[k].trim();
    void navigate({ search: next });
  };
  const set = (k: FilterKey) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  return (
    <>
      <PageHeader title="Audit log" description="Every admin change and every key event, with who did it, from where, and what changed. Newest first." />
      <Card className="mb-4">
        <form onSubmit={apply} className="grid grid-cols-1 gap-3 p-4 sm:grid-cols-2 lg:grid-cols-6" aria-label="Filter the audit log">
          <Field label="Actor" className="lg:col-span-2" hint="An email (or part of it) or an id.">
            {(p) => <Input {...p} value={draft.actor} onChange={set('actor')} placeholder="ops@example.com" />}
          </Field>
          <Field label="Action" className="lg:col-span-2">
            {(p) => (
              <Select {...p} value={draft.action} onChange={set('action')}>
                <option value="">Any action</option>
                {draft.action && !ACTIONS.some((a) => a.value === draft.action) && <option value={draft.action}>{draft.action}</option>}
                {ACTIONS.map((a) => (
                  <option key={a.value} value={a.value}>
                    {a.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Target type" className="lg:col-span-2">
            {(p) => (
              <Select {...p} value={draft.targetType} onChange={set('targetType')}>
                <option value="">Any target</option>
                {TARGET_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Target id" className="lg:col-span-2">
            {(p) => <Input {...p} value={draft.targetId} onChange={set('targetId')} placeholder="A user, key or tier id" className="font-mono text-xs" />}
          </Field>
          <Field label="From (UTC)">{(p) => <Input {...p} type="date" value={draft.from} onChange={set('from')} />}</Field>
          <Field label="To (UTC)">{(p) => <Input {...p} type="date" value={draft.to} onChange={set('to')} />}</Field>
          <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-2">
            <Button type="submit" variant="primary">
              Apply filters
            </Button>
            {filtered && (
              <Button onClick={() => void navigate({ search: {} })}>
                <X className="size-4" aria-hidden="true" /> Clear
              </Button>
            )}
          </div>
        </form>
      </Card>
      <Card>
        {list.isPending ? (
          <LoadingBlock rows={8} label="Loading the audit log" />
        ) : list.isError ? (
          <ErrorState message={errorMessage(list.error)} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={filtered || search.before ? 'No events match' : 'Nothing has happened yet'} icon={<ScrollText className="size-5" aria-hidden="true" />}>
            {filtered ? 'Try a wider date range or fewer filters.' : undefined}
          </EmptyState>
        ) : (
          <>
            <AuditTable events={list.data.items} label="Audit events" />
            <CursorPager
              label="Pages of the audit log"
              onOlderPage={Boolean(search.before)}
              busy={list.isFetching}
              onNewest={() => void navigate({ search: (s) => ({ ...s, before: undefined }) })}
              older={list.data.nextBefore === null ? null : () => void navigate({ search: (s) => ({ ...s, before: list.data.nextBefore ?? undefined }) })}
            />
          </>
        )}
      </Card>
    </>
  );
}
