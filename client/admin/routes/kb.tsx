import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { BookOpen, Plus, Search } from 'lucide-react';
import { buttonClass } from '../../ui/components/button.tsx';
import { Badge, Card, PageHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock, Spinner } from '../../ui/components/feedback.tsx';
import { SearchInput } from '../../ui/components/field.tsx';
import { Pagination } from '../components/ui/pagination.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatRelative } from '../../ui/lib/format.ts';
import { excerptRuns } from '../lib/kb.ts';
import { useCanWrite } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';
import { useSearchText } from '../lib/use-search-text.ts';

export const Route = createLazyRoute('/_app/kb')({ component: KbPage });

const PAGE_SIZE = 20;

function KbPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const canWrite = useCanWrite();
  const [q, setQ] = useSearchText(search.q, (next) => void navigate({ search: (s) => ({ ...s, q: next, page: 1 }), replace: true }));
  const list = useQuery({ ...trpc.admin.kb.list.queryOptions({ search: search.q, page: search.page, pageSize: PAGE_SIZE }), placeholderData: keepPreviousData });

  return (
    <>
      <PageHeader
        title="Knowledge base"
        description="Articles the kb source answers from. Bodies are Markdown; search ranks titles, then tags, then text."
        actions={
          canWrite && (
            <Link to="/kb/new" className={buttonClass('primary')}>
              <Plus className="size-4" aria-hidden="true" /> New article
            </Link>
          )
        }
      />
      <Card>
        <div className="flex items-center gap-3 border-b border-zinc-100 p-3">
          <SearchInput value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search articles" label="Search articles" className="flex-1" />
          {list.isFetching && !list.isPending && <Spinner className="size-4 text-zinc-400" label="Updating" />}
        </div>
        {list.isPending ? (
          <LoadingBlock rows={8} label="Loading articles" />
        ) : list.isError ? (
          <ErrorState message={errorMessage(list.error)} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          search.q ? (
            <EmptyState title="No articles match" icon={<Search className="size-5" aria-hidden="true" />}>
              Nothing matches “{search.q}”. Try fewer or other words.
            </EmptyState>
          ) : (
            <EmptyState title="The knowledge base is empty" icon={<BookOpen className="size-5" aria-hidden="true" />} action={canWrite && <Link to="/kb/new" className={buttonClass('primary')}>Write the first article</Link>} />
          )
        ) : (
          <>
            <ul className="divide-y divide-zinc-100" aria-label="Articles">
              {list.data.items.map((a) => (
                <li key={a.id}>
                  <Link to="/kb/$entryId" params={{ entryId: a.id }} className="block px-4 py-3 hover:bg-zinc-50">
                    <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                      <p className="font-medium text-zinc-900">{a.title}</p>
                      <p className="text-xs text-zinc-500">Updated {formatRelative(a.updatedAt)}</p>
                    </div>
                    <p className="mt-1 line-clamp-2 text-sm text-zinc-600">
                      {excerptRuns(a.excerpt, Boolean(search.q)).map((r, i) =>
                        r.mark ? (
                          <mark key={i} className="rounded bg-amber-100 px-0.5 text-zinc-900">
                            {r.text}
                          </mark>
                        ) : (
                          <span key={i}>{r.text}</span>
                        ),
                      )}
                    </p>
                    {a.tags.length > 0 && (
                      <div className="mt-2 flex flex-wrap gap-1">
                        {a.tags.map((t) => (
                          <Badge key={t}>{t}</Badge>
                        ))}
                      </div>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
            <Pagination page={search.page} pageSize={PAGE_SIZE} total={list.data.total} noun="articles" onPage={(page) => void navigate({ search: (s) => ({ ...s, page }) })} />
          </>
        )}
      </Card>
    </>
  );
}
