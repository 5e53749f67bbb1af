import { ChevronLeft, ChevronRight } from 'lucide-react';
import { formatNumber } from '../../../ui/lib/format.ts';
import { Button } from '../../../ui/components/button.tsx';

/** "21–40 of 1,234" with previous/next; pages live in the URL, so the buttons just change it. */
export function Pagination({ page, pageSize, total, onPage, noun = 'results' }: { page: number; pageSize: number; total: number; onPage: (page: number) => void; noun?: string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-100 px-4 py-3 text-sm text-zinc-600">
      <p aria-live="polite">
        {total === 0 ? `No ${noun}` : `${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(total)} ${noun}`}
      </p>
      <div className="flex items-center gap-2">
        <Button size="sm" onClick={() => onPage(page - 1)} disabled={page <= 1} aria-label="Previous page">
          <ChevronLeft className="size-4" aria-hidden="true" /> Previous
        </Button>
        <span className="tabular-nums text-zinc-500">
          Page {formatNumber(page)} of {formatNumber(pages)}
        </span>
        <Button size="sm" onClick={() => onPage(page + 1)} disabled={page >= pages} aria-label="Next page">
          Next <ChevronRight className="size-4" aria-hidden="true" />
        </Button>
      </div>
    </nav>
  );
}
