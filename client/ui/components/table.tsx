import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import type { ReactNode, ThHTMLAttributes, TdHTMLAttributes } from 'react';
import { cx } from './cx.ts';

/**
 * A table that scrolls sideways on narrow screens instead of breaking the
 * layout. The scrolling region can take focus, so it scrolls from the keyboard too.
 * `relative` makes the region the containing block of absolutely positioned
 * descendants (sr-only link texts), which would otherwise widen the whole page.
 */
export function Table({ children, label, className }: { children: ReactNode; label: string; className?: string }) {
  return (
    <div className={cx('relative overflow-x-auto focus-visible:outline-offset-[-2px]', className)} role="region" aria-label={label} tabIndex={0}>
      <table className="w-full min-w-max border-collapse text-left text-sm" aria-label={label}>
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return <thead className="border-b border-zinc-200 bg-zinc-50/80 text-xs font-medium uppercase tracking-wide text-zinc-500">{children}</thead>;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-zinc-100">{children}</tbody>;
}

export function Th({ className, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope="col" className={cx('px-4 py-2.5 font-medium', className)} {...rest} />;
}

export function Td({ className, ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cx('px-4 py-2.5 align-middle', className)} {...rest} />;
}

/**
 * A sortable column header. It is a real button inside the header cell, and the
 * cell carries aria-sort, so screen readers announce the order.
 */
export function SortTh({ label, active, order, onSort, className }: { label: string; active: boolean; order: 'asc' | 'desc'; onSort: () => void; className?: string }) {
  const Icon = !active ? ArrowUpDown : order === 'asc' ? ArrowUp : ArrowDown;
  return (
    <th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'} className={cx('px-4 py-2.5 font-medium', className)}>
      <button type="button" onClick={onSort} className="-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase tracking-wide hover:text-zinc-900">
        {label}
        <Icon className={cx('size-3.5', active ? 'text-zinc-900' : 'text-zinc-400')} aria-hidden="true" />
      </button>
    </th>
  );
}
