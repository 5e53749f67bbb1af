import { ChevronRight } from 'lucide-react';
import { Button } from './button.tsx';
import { Spinner } from './feedback.tsx';

/**
 * Newest-first pages walked by a cursor: "Newest" back to the first page, "Older" to the next.
 * The cursor lives in the URL, so the caller navigates; `older` is null on the last page.
 */
export function CursorPager({ label, onOlderPage, older, onNewest, busy }: { label: string; onOlderPage: boolean; older: (() => void) | null; onNewest: () => void; busy?: boolean }) {
  return (
    <nav aria-label={label} className="flex items-center justify-between gap-3 border-t border-zinc-100 px-4 py-3">
      <div className="flex items-center gap-2 text-sm text-zinc-500">
        {onOlderPage ? 'Older events' : 'Latest events'}
        {busy && <Spinner className="size-4" label="Updating" />}
      </div>
      <div className="flex gap-2">
        {onOlderPage && (
          <Button size="sm" onClick={onNewest}>
            Newest
          </Button>
        )}
        <Button size="sm" disabled={older === null} onClick={() => older?.()}>
          Older <ChevronRight className="size-4" aria-hidden="true" />
        </Button>
      </div>
    </nav>
  );
}
